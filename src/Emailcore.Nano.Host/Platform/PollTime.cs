namespace Emailcore.Nano.Host.Platform
{
    internal static class PollTime
    {
        /// <summary>Socket.Poll takes microseconds in an int; long timeouts become "wait forever" (-1).</summary>
        public static int Microseconds(int milliseconds) => milliseconds >= int.MaxValue / 1000 ? -1 : milliseconds * 1000;
    }
}

namespace Emailcore.Nano.Platform
{
    /// <summary>Unpredictable bytes for DNS query IDs, source ports, queue IDs and MIME boundaries.</summary>
    public interface IRandom
    {
        void NextBytes(byte[] buffer, int offset, int count);

        /// <summary>A value in [0, <paramref name="maxExclusive"/>).</summary>
        int Next(int maxExclusive);
    }
}

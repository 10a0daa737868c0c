namespace Emailcore.Nano.Platform
{
    /// <summary>
    /// The pause before a board's next network bring-up attempt: 5 s, doubling to at most 5 min, so a board whose
    /// access point or switch is down keeps trying without flooding its log (one line per attempt).
    /// </summary>
    public static class NetworkRetry
    {
        public const int FirstDelayMilliseconds = 5000;

        public const int MaxDelayMilliseconds = 300000;

        /// <summary>The pause after <paramref name="failures"/> failed attempts in a row (1 or more).</summary>
        public static int DelayMilliseconds(int failures)
        {
            long delay = FirstDelayMilliseconds;
            for (int i = 1; i < failures && delay < MaxDelayMilliseconds; i++)
            {
                delay *= 2;
            }

            return delay > MaxDelayMilliseconds ? MaxDelayMilliseconds : (int)delay;
        }
    }
}

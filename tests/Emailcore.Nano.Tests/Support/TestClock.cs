using System;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>A clock for tests: a fixed wall time (or none), and sleeps that are recorded instead of taken.</summary>
    public sealed class TestClock : Emailcore.Nano.Platform.IClock
    {
        public DateTime? Now { get; set; } = new DateTime(2026, 11, 28, 20, 5, 22, DateTimeKind.Utc);

        public int Slept { get; private set; }

        public long MonotonicMilliseconds => Environment.TickCount64;

        public bool TryGetUtcNow(out DateTime utcNow)
        {
            utcNow = Now ?? default;
            return Now.HasValue;
        }

        public void Sleep(int milliseconds) => Slept += milliseconds;
    }
}

using System;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>A clock the test moves by hand, and that can be "not yet known" like a board before SNTP.</summary>
    public sealed class ManualClock : IClock
    {
        public DateTime? UtcNow { get; set; } = new DateTime(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc);

        public long MonotonicMilliseconds { get; set; } = 1_000_000;

        /// <summary>All the sleeping asked of the clock (a sleep only moves the clock on).</summary>
        public int Slept { get; private set; }

        public bool TryGetUtcNow(out DateTime utcNow)
        {
            utcNow = UtcNow ?? default;
            return UtcNow.HasValue;
        }

        public void Sleep(int milliseconds)
        {
            Slept += milliseconds;
            Advance(milliseconds);
        }

        public void Advance(long milliseconds)
        {
            MonotonicMilliseconds += milliseconds;
            if (UtcNow.HasValue)
            {
                UtcNow = UtcNow.Value.AddMilliseconds(milliseconds);
            }
        }
    }
}

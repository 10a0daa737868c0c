#nullable disable
using System;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>A clock the test moves by hand, and that can be "not yet known" like a board before SNTP.</summary>
    public sealed class ManualClock : IClock
    {
        public ManualClock()
        {
            UtcNow = Utc.At(2026, 11, 28, 12, 0, 0);
            Known = true;
            MonotonicMilliseconds = 1000000;
        }

        /// <summary>The wall time, meaningful while <see cref="Known"/>.</summary>
        public DateTime UtcNow { get; set; }

        /// <summary>False: the wall time is not yet set (a board before SNTP).</summary>
        public bool Known { get; set; }

        public long MonotonicMilliseconds { get; set; }

        /// <summary>All the sleeping asked of the clock (a sleep only moves the clock on).</summary>
        public int Slept { get; private set; }

        public bool TryGetUtcNow(out DateTime utcNow)
        {
            utcNow = UtcNow;
            return Known;
        }

        public void Sleep(int milliseconds)
        {
            Slept += milliseconds;
            Advance(milliseconds);
        }

        public void Advance(long milliseconds)
        {
            MonotonicMilliseconds += milliseconds;
            UtcNow = UtcNow.AddTicks(milliseconds * TimeSpan.TicksPerMillisecond);
        }
    }
}

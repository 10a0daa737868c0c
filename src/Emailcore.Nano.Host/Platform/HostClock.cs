using System;
using System.Diagnostics;
using System.Threading;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Host.Platform
{
    /// <summary>The host's clock: the wall time is always known here; the monotonic time comes from Stopwatch.</summary>
    public sealed class HostClock : IClock
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();

        public long MonotonicMilliseconds => _watch.ElapsedMilliseconds;

        public bool TryGetUtcNow(out DateTime utcNow)
        {
            utcNow = DateTime.UtcNow;
            return true;
        }

        public void Sleep(int milliseconds) => Thread.Sleep(milliseconds);
    }
}

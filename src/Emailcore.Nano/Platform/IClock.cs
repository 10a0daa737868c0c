using System;

namespace Emailcore.Nano.Platform
{
    public interface IClock
    {
        /// <summary>
        /// UTC wall time. False while it is not yet known (a board before SNTP): callers that need it,
        /// such as certificate checks and Date headers, wait instead of guessing.
        /// </summary>
        bool TryGetUtcNow(out DateTime utcNow);

        /// <summary>Milliseconds from an arbitrary start; never goes backwards. For timeouts and backoff.</summary>
        long MonotonicMilliseconds { get; }

        void Sleep(int milliseconds);
    }
}

namespace Emailcore.Nano.Relay
{
    /// <summary>
    /// Retry timing. The delay before the next attempt is the message's age clamped to
    /// [minimal_backoff_time, maximal_backoff_time], so it roughly doubles per attempt (Postfix's rule);
    /// RFC 5321 §4.5.4.1 asks for at least 30 minutes between tries and giving up after 4-5 days.
    /// </summary>
    public sealed class Backoff
    {
        private readonly long _minimal;
        private readonly long _maximal;
        private readonly long _lifetime;
        private readonly long _bounceLifetime;

        public Backoff(int minimalSeconds, int maximalSeconds, int queueLifetimeSeconds, int bounceLifetimeSeconds)
        {
            _minimal = minimalSeconds;
            _maximal = maximalSeconds < minimalSeconds ? minimalSeconds : maximalSeconds;
            _lifetime = queueLifetimeSeconds;
            _bounceLifetime = bounceLifetimeSeconds;
        }

        /// <summary>Seconds (Unix time) of the next attempt after a deferral at <paramref name="now"/>.</summary>
        public long NextAttempt(long arrival, long now)
        {
            long delay = now - arrival;
            if (delay < _minimal)
            {
                delay = _minimal;
            }

            if (delay > _maximal)
            {
                delay = _maximal;
            }

            return now + delay;
        }

        /// <summary>True when a deferred recipient has waited too long and now fails (bounces have their own, usually shorter, lifetime).</summary>
        public bool Expired(long arrival, long now, bool isBounce)
        {
            return now - arrival >= (isBounce ? _bounceLifetime : _lifetime);
        }
    }
}

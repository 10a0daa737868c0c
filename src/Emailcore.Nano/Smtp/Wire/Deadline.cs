using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Smtp.Wire
{
    /// <summary>
    /// Time limits per whole request, not per read (RFC 5321 §4.5.3.2's timeouts, as Postfix's
    /// smtpd_per_request_deadline, always on): a command line, a reply, an AUTH line or a DATA line must be complete
    /// within its timeout however the peer spaces its bytes, and nothing outlasts the session's own limit
    /// (smtpd_session_time_limit). The one place the wire layer reads the clock.
    /// </summary>
    public sealed class Deadline
    {
        /// <summary>What a blocking write still gets once the session is over: time to say 421.</summary>
        public const int GraceMilliseconds = 1000;

        private readonly IClock _clock;
        private long _session = long.MaxValue;
        private long _request = long.MaxValue;

        public Deadline(IClock clock)
        {
            _clock = clock;
        }

        /// <summary>True once the session's limit has passed.</summary>
        public bool SessionOver
        {
            get { return _clock.MonotonicMilliseconds >= _session; }
        }

        /// <summary>Milliseconds left for the current request; 0 once it is over.</summary>
        public int Remaining
        {
            get { return Clamp(_request - _clock.MonotonicMilliseconds); }
        }

        /// <summary>Starts a session limited to <paramref name="limitMilliseconds"/> from now; 0 or less: no limit.</summary>
        public void StartSession(int limitMilliseconds)
        {
            _session = limitMilliseconds > 0 ? _clock.MonotonicMilliseconds + limitMilliseconds : long.MaxValue;
            _request = _session;
        }

        /// <summary>Starts a request that must be complete within <paramref name="timeoutMilliseconds"/>, or by the session's end if sooner.</summary>
        public void Start(int timeoutMilliseconds)
        {
            long at = _clock.MonotonicMilliseconds + timeoutMilliseconds;
            _request = at < _session ? at : _session;
        }

        /// <summary>The timeout for one blocking call (a write, a TLS handshake): the one given, cut to what is left of the session, at least <see cref="GraceMilliseconds"/>.</summary>
        public int Cap(int timeoutMilliseconds)
        {
            long left = _session - _clock.MonotonicMilliseconds;
            if (left < GraceMilliseconds)
            {
                left = GraceMilliseconds;
            }

            return left < timeoutMilliseconds ? (int)left : timeoutMilliseconds;
        }

        private static int Clamp(long milliseconds)
        {
            return milliseconds <= 0 ? 0 : milliseconds > int.MaxValue ? int.MaxValue : (int)milliseconds;
        }
    }
}

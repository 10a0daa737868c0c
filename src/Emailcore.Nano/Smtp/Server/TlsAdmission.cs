using Emailcore.Nano.Config;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Smtp.Server
{
    /// <summary>
    /// Who gets a server TLS handshake, and how many run at once. On a board the handshake is one blocking native
    /// call that stalls every managed thread until it ends (README, "Device build"), so a board offers TLS only to
    /// smtpd_tls_networks and runs at most smtpd_tls_handshake_limit handshakes: meanwhile a second STARTTLS gets
    /// 454 4.7.0 (RFC 3207 §4) and an /smtps connection waits its turn for up to smtpd_starttls_timeout.
    /// One instance is shared by every session of a server.
    /// </summary>
    public sealed class TlsAdmission
    {
        private const int WaitStepMilliseconds = 50;

        private readonly AddressRange[] _networks;
        private readonly Quota _handshakes;

        /// <param name="limit">Handshakes at once; 0: no limit.</param>
        public TlsAdmission(AddressRange[] networks, int limit)
        {
            _networks = networks;
            _handshakes = new Quota(limit);
        }

        /// <summary>Handshakes admitted and not yet left.</summary>
        public int Running
        {
            get { return _handshakes.Held; }
        }

        public static TlsAdmission From(MainConfig config)
        {
            string[] networks = config.GetList(Parameters.SmtpdTlsNetworks);
            var ranges = new AddressRange[networks.Length];
            for (int i = 0; i < networks.Length; i++)
            {
                ranges[i] = AddressRange.Parse(networks[i]);
            }

            return new TlsAdmission(ranges, config.GetCount(Parameters.SmtpdTlsHandshakeLimit));
        }

        /// <summary>True when the client at <paramref name="client"/> may be offered TLS (smtpd_tls_networks).</summary>
        public bool Offers(Endpoint client)
        {
            for (int i = 0; i < _networks.Length; i++)
            {
                if (_networks[i].Contains(client))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Claims a handshake turn without waiting (STARTTLS); false when the limit is reached. Pair with <see cref="Leave"/>.</summary>
        public bool TryEnter()
        {
            return _handshakes.TryTake();
        }

        /// <summary>Waits up to <paramref name="waitMilliseconds"/> for a turn (/smtps, where no reply can say "later").</summary>
        public bool Enter(IClock clock, int waitMilliseconds)
        {
            long deadline = clock.MonotonicMilliseconds + waitMilliseconds;
            while (!TryEnter())
            {
                if (clock.MonotonicMilliseconds >= deadline)
                {
                    return false;
                }

                clock.Sleep(WaitStepMilliseconds);
            }

            return true;
        }

        /// <summary>Gives back a turn taken by <see cref="TryEnter"/> or <see cref="Enter"/>, once the handshake is over whatever its outcome.</summary>
        public void Leave()
        {
            _handshakes.Release();
        }
    }
}

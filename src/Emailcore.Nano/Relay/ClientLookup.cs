using Emailcore.Nano.Config;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Server;

namespace Emailcore.Nano.Relay
{
    /// <summary>
    /// The server's DNS about its clients: forward-confirmed reverse DNS for the name in logs and Received, and the
    /// EHLO name's address records (RFC 5321bis AS §2.1). One per session slot, each with a resolver and buffers of its
    /// own, so a slow answer holds only its own session and never the accept loop; the answers go into one cache that
    /// the slots share. Each call sets its transport's deadline, so it ends within the time given whatever
    /// dns_timeout and dns_attempts say.
    /// </summary>
    public sealed class ClientLookup : IClientLookup
    {
        private readonly DnsResolver _resolver;
        private readonly IClock _clock;
        private readonly ILog _log;
        private readonly RecordSet _names = new RecordSet();
        private readonly RecordSet _addresses = new RecordSet();
        private readonly DnsName _name = new DnsName();
        private readonly Endpoint _address = new Endpoint();

        public ClientLookup(DnsResolver resolver, IClock clock, ILog log)
        {
            _resolver = resolver;
            _clock = clock;
            _log = log;
        }

        /// <summary>
        /// One lookup per session slot sharing one cache (dns_cache_entries, dns_cache_bytes), or null when the server
        /// asks DNS nothing (neither smtpd_peername_lookup nor smtpd_reject_unmatched_helo_hostname): nothing is allocated then.
        /// </summary>
        public static IClientLookup[] ForSlots(MainConfig config, ServerSettings settings, INetwork network, IRandom random, IClock clock, ILog log)
        {
            if (!settings.NeedsClientLookup || settings.ConnectionLimit == 0)
            {
                return null;
            }

            DnsCache cache = DnsResolver.CreateCache(config, clock);
            var lookups = new IClientLookup[settings.ConnectionLimit];
            for (int i = 0; i < lookups.Length; i++)
            {
                lookups[i] = new ClientLookup(DnsResolver.Create(config, network, random, clock, log, cache), clock, log);
            }

            return lookups;
        }

        public int ConfirmedName(Endpoint client, byte[] into, int timeoutMilliseconds)
        {
            Begin(timeoutMilliseconds);
            try
            {
                _name.SetReverse(client);
                LookupStatus status = _resolver.Lookup(_name, RecordType.Ptr, _names);
                if (status == LookupStatus.Failed)
                {
                    _log.Write(LogLevel.Warning, client.AddressText() + ": hostname lookup failed: " + _names.Error);
                }

                for (int i = 0; status == LookupStatus.Found && i < _names.Count; i++)
                {
                    _names.CopyExchange(i, _name);
                    AddressMatch match = Match(client);
                    if (match == AddressMatch.Match)
                    {
                        _name.CopyTo(into, 0);
                        return _name.Length;
                    }

                    // Postfix's wording, so that log watchers written for it keep working.
                    _log.Write(LogLevel.Warning, match == AddressMatch.NoMatch
                        ? "hostname " + _name.ToString() + " does not resolve to address " + client.AddressText()
                        : client.AddressText() + ": hostname " + _name.ToString() + " verification failed: " + _addresses.Error);
                }

                return 0;
            }
            finally
            {
                _resolver.Transport.Deadline = long.MaxValue;
            }
        }

        public AddressMatch Matches(string name, Endpoint client, int timeoutMilliseconds)
        {
            Begin(timeoutMilliseconds);
            try
            {
                _name.Set(name);
                return Match(client);
            }
            catch (DnsException)
            {
                // Not a name DNS can hold, so nothing in DNS matches it.
                return AddressMatch.NoMatch;
            }
            finally
            {
                _resolver.Transport.Deadline = long.MaxValue;
            }
        }

        private void Begin(int timeoutMilliseconds)
        {
            _resolver.Transport.Deadline = _clock.MonotonicMilliseconds + timeoutMilliseconds;
        }

        // Only the client's own family can hold its address: A for IPv4, AAAA for IPv6 (RFC 3596).
        private AddressMatch Match(Endpoint client)
        {
            switch (_resolver.Lookup(_name, client.IsIPv6 ? RecordType.Aaaa : RecordType.A, _addresses))
            {
                case LookupStatus.Failed:
                    return AddressMatch.Failed;
                case LookupStatus.Found:
                    for (int i = 0; i < _addresses.Count; i++)
                    {
                        _addresses.CopyAddress(i, _address);
                        if (_address.SameAddress(client))
                        {
                            return AddressMatch.Match;
                        }
                    }

                    return AddressMatch.NoMatch;
                default:
                    return AddressMatch.NoMatch;
            }
        }
    }
}

using Emailcore.Nano.Config;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Dns
{
    /// <summary>
    /// A stub resolver for the types mail routing needs (MX, A, AAAA) and the server's client names (PTR): follows CNAME chains to a bounded
    /// length, keeps answers and negative answers in a <see cref="DnsCache"/>, and reports failures as
    /// <see cref="LookupStatus.Failed"/> with a reason instead of throwing.
    /// </summary>
    public sealed class DnsResolver
    {
        /// <summary>CNAMEs followed from the name asked for (RFC 1034 §3.6.2); the bound ends CNAME loops.</summary>
        public const int MaxCnameChain = 8;

        /// <summary>RFC 2308 §5: negative answers are kept no longer than this whatever the SOA says.</summary>
        public const int MaxNegativeTtl = 3 * 3600;

        private readonly DnsTransport _transport;
        private readonly DnsCache _cache;
        private readonly int _minTtl;
        private readonly int _maxTtl;
        private readonly DnsName _current = new DnsName();
        private readonly DnsRecord _record = new DnsRecord();

        public DnsResolver(DnsTransport transport, DnsCache cache, int minTtlSeconds, int maxTtlSeconds)
        {
            _transport = transport;
            _cache = cache;
            _minTtl = minTtlSeconds;
            _maxTtl = maxTtlSeconds;
        }

        public DnsCache Cache
        {
            get { return _cache; }
        }

        public DnsTransport Transport
        {
            get { return _transport; }
        }

        /// <summary>
        /// The resolver the configuration describes: the transport of <see cref="DnsTransport.Create"/>, the cache sizes and TTL bounds.
        /// Throws <see cref="ConfigException"/> when dns_servers holds something that is not an address.
        /// </summary>
        public static DnsResolver Create(MainConfig config, INetwork network, IRandom random, IClock clock, ILog log)
        {
            return Create(config, network, random, clock, log, CreateCache(config, clock));
        }

        /// <summary>As <see cref="Create(MainConfig, INetwork, IRandom, IClock, ILog)"/>, keeping answers in <paramref name="cache"/>, which other resolvers may share.</summary>
        public static DnsResolver Create(MainConfig config, INetwork network, IRandom random, IClock clock, ILog log, DnsCache cache)
        {
            DnsTransport transport = DnsTransport.Create(config, network, random, clock, log);
            return new DnsResolver(transport, cache, config.GetSeconds(Parameters.DnsCacheMinTtl), config.GetSeconds(Parameters.DnsCacheMaxTtl));
        }

        /// <summary>A cache of dns_cache_entries slots in dns_cache_bytes.</summary>
        public static DnsCache CreateCache(MainConfig config, IClock clock)
        {
            return new DnsCache(config.GetCount(Parameters.DnsCacheEntries), (int)config.GetSize(Parameters.DnsCacheBytes), clock);
        }

        /// <summary>Looks up <paramref name="type"/> records of <paramref name="name"/>, from the cache when it can; the status is also in <paramref name="into"/>.</summary>
        public LookupStatus Lookup(DnsName name, int type, RecordSet into)
        {
            if (_cache.TryGet(name, type, into))
            {
                return into.Status;
            }

            Resolve(name, type, into);
            _cache.Put(name, type, into);
            return into.Status;
        }

        private void Resolve(DnsName name, int type, RecordSet into)
        {
            into.Clear(type);
            _current.CopyFrom(name);
            int ttl = _maxTtl;
            int chain = 0;
            while (true)
            {
                DnsMessage message = _transport.Query(_current, type);
                if (message == null)
                {
                    Fail(into, _transport.LastError);
                    return;
                }

                if (message.Rcode == ResponseCode.NameError)
                {
                    Negative(message, into, LookupStatus.NameError, name, type);
                    return;
                }

                // RFC 1034 §3.6.2, §4.3.2: follow CNAMEs from the name asked, in whatever order the records come.
                int followed = 0;
                int cnameTtl = FollowCnames(message);
                while (cnameTtl >= 0)
                {
                    if (++chain > MaxCnameChain)
                    {
                        Fail(into, "CNAME chain from " + name.ToString() + " is longer than " + MaxCnameChain.ToString());
                        return;
                    }

                    followed++;
                    ttl = cnameTtl < ttl ? cnameTtl : ttl;
                    cnameTtl = FollowCnames(message);
                }

                int p = message.AnswerOffset;
                for (int i = 0; i < message.AnswerCount; i++)
                {
                    p = message.ReadRecord(p, _record);
                    if (_record.Type != type || _record.Class != RecordType.ClassIn || !_record.Owner.SameAs(_current))
                    {
                        continue;
                    }

                    ttl = _record.Ttl < ttl ? _record.Ttl : ttl;
                    if (type == RecordType.Mx)
                    {
                        message.ReadName(_record.RdataOffset + 2, _record.Owner);
                        into.AddMx(DnsMessage.ReadShort(message.Buffer, _record.RdataOffset), _record.Owner);
                    }
                    else if (type == RecordType.Ptr)
                    {
                        // RFC 1035 §3.3.12: PTRDNAME, a domain name (possibly compressed).
                        message.ReadName(_record.RdataOffset, _record.Owner);
                        into.AddMx(0, _record.Owner);
                    }
                    else
                    {
                        into.AddAddress(message.Buffer, _record.RdataOffset);
                    }
                }

                if (into.Count > 0)
                {
                    into.Status = LookupStatus.Found;
                    into.Ttl = Clamp(ttl, _maxTtl);
                    return;
                }

                // A chain that ends without data: NODATA when the server says so (an SOA), else ask for the target ourselves.
                if (followed == 0 || HasSoa(message))
                {
                    Negative(message, into, LookupStatus.NoData, name, type);
                    return;
                }
            }
        }

        // Moves _current along one CNAME owned by it; returns that record's TTL, or -1 when there is none.
        private int FollowCnames(DnsMessage message)
        {
            int p = message.AnswerOffset;
            for (int i = 0; i < message.AnswerCount; i++)
            {
                p = message.ReadRecord(p, _record);
                if (_record.Type == RecordType.Cname && _record.Class == RecordType.ClassIn && _record.Owner.SameAs(_current))
                {
                    message.ReadName(_record.RdataOffset, _current);
                    return _record.Ttl;
                }
            }

            return -1;
        }

        private bool HasSoa(DnsMessage message)
        {
            return NegativeTtl(message) >= 0;
        }

        // RFC 2308 §5: a negative answer lives min(SOA TTL, SOA MINIMUM); without an SOA it is not cached (-1).
        private int NegativeTtl(DnsMessage message)
        {
            int p = message.AuthorityOffset;
            for (int i = 0; i < message.AuthorityCount; i++)
            {
                p = message.ReadRecord(p, _record);
                if (_record.Type == RecordType.Soa)
                {
                    int end = _record.RdataOffset + _record.RdataLength;
                    int minimum = (DnsMessage.ReadShort(message.Buffer, end - 4) << 16) | DnsMessage.ReadShort(message.Buffer, end - 2);
                    minimum = minimum < 0 ? 0 : minimum;
                    return minimum < _record.Ttl ? minimum : _record.Ttl;
                }
            }

            return -1;
        }

        private void Negative(DnsMessage message, RecordSet into, LookupStatus status, DnsName name, int type)
        {
            into.Status = status;
            into.Error = (status == LookupStatus.NameError ? "NXDOMAIN for " : "no " + RecordType.Name(type) + " records for ") + name.ToString();
            int ttl = NegativeTtl(message);
            into.Ttl = ttl < 0 ? 0 : Clamp(ttl, _maxTtl < MaxNegativeTtl ? _maxTtl : MaxNegativeTtl);
        }

        private static void Fail(RecordSet into, string reason)
        {
            into.Status = LookupStatus.Failed;
            into.Error = reason;
            into.Ttl = 0;
        }

        private int Clamp(int ttl, int ceiling)
        {
            if (ttl < _minTtl)
            {
                ttl = _minTtl;
            }

            return ttl > ceiling ? ceiling : ttl;
        }
    }
}

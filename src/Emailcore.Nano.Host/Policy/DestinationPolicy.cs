using System;
using System.Collections.Generic;
using System.Net;
using System.Threading;
using Emailcore.Nano.Config;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Relay;

namespace Emailcore.Nano.Host.Policy
{
    /// <summary>
    /// The host's <see cref="IDestinationPolicy"/>. DANE (RFC 7672) where the level is dane: TLSA records of
    /// "_port._tcp.server" count only when the resolver set the AD bit on them and on the MX records that named the server
    /// (smtp_dns_support_level = dnssec; we validate no signature ourselves, so the path to that resolver must be trusted).
    /// MTA-STS (RFC 8461) for mail routed by MX: the domain's policy from the cache or over HTTPS, then enforce refuses
    /// servers its mx patterns do not name and demands a verified certificate for the server's name; testing logs instead.
    /// RFC 8461 §2: where DANE applies to a server it wins over MTA-STS.
    /// </summary>
    public sealed class DestinationPolicy : IDestinationPolicy
    {
        private readonly ThreadLocal<PolicyDns> _dns;
        private readonly ThreadLocal<Destination> _current = new(() => new Destination());
        private readonly bool _dnssec;
        private readonly MtaStsCache? _cache;
        private readonly MtaStsFetch? _fetch;
        private readonly IClock _clock;
        private readonly ILog _log;
        private int _warnedDnssec;

        public DestinationPolicy(MainConfig config, INetwork network, IRandom random, IClock clock, ILog log, string? cacheDirectory)
        {
            _clock = clock;
            _log = log;
            _dns = new ThreadLocal<PolicyDns>(() => new PolicyDns(DnsTransport.Create(config, network, random, clock, log)));
            _dnssec = config.GetString(HostParameters.SmtpDnsSupportLevel) == "dnssec";
            if (config.GetBool(HostParameters.SmtpMtaStsEnable))
            {
                _cache = new MtaStsCache(cacheDirectory, config.GetSize(HostParameters.SmtpMtaStsCacheSize), log);
                _fetch = new MtaStsFetch(network, clock, config.GetMilliseconds(HostParameters.SmtpMtaStsFetchTimeout));
            }
        }

        /// <summary>The relay's: the MTA-STS cache file in queue_directory.</summary>
        public static DestinationPolicy From(MainConfig config, INetwork network, IRandom random, IClock clock, ILog log) =>
            new(config, network, random, clock, log, HostSpool.Directory(config));

        public void Begin(NextHop hop, TlsLevel configured)
        {
            Destination current = _current.Value!;
            current.Domain = hop.Host;
            current.Port = hop.Port;
            current.Sts = _fetch != null && !hop.SkipMx ? MtaSts(hop.Host) : null;

            // RFC 7672 §2.2.1: TLSA records of MX hosts count only when the MX records themselves were secure.
            current.MxSecure = hop.SkipMx;
            if (configured == TlsLevel.Dane && _dnssec && !hop.SkipMx)
            {
                current.MxSecure = _dns.Value!.Query(hop.Host, RecordType.Mx).Authentic;
            }
        }

        public string? Decide(string host, ref TlsLevel level, ref string verifyName, out TlsaRecords? dane, out string? testingDomain)
        {
            Destination current = _current.Value!;
            dane = null;
            testingDomain = null;
            if (level == TlsLevel.Dane)
            {
                // RFC 8461 §2: where DANE settles the server, MTA-STS does not apply to it.
                string? settled = Dane(current, host, ref level, ref verifyName, ref dane);
                if (settled != null || level != TlsLevel.Dane)
                {
                    return settled;
                }

                level = TlsLevel.May;
            }

            MtaStsPolicy? sts = current.Sts;
            if (sts == null || sts.Mode == MtaStsMode.None)
            {
                return null;
            }

            bool enforce = sts.Mode == MtaStsMode.Enforce;
            if (!sts.Matches(host))
            {
                string what = "MTA-STS policy of " + current.Domain + " (" + sts.ModeName + ") does not list MX host " + host + " (mx: " + string.Join(", ", sts.Mx) + ")";
                _log.Write(LogLevel.Warning, what + (enforce ? "; not connecting to it" : "; enforce would not connect to it; delivering, as testing asks"));
                return enforce ? "454 4.7.5 " + what : null;
            }

            // RFC 8461 §4.2: TLS with a certificate valid for the MX host's name (secure keeps its stricter name).
            if (level != TlsLevel.Secure)
            {
                level = TlsLevel.Verify;
                verifyName = host;
            }

            testingDomain = enforce ? null : current.Domain;
            return null;
        }

        // Leaves level at dane when DANE does not apply to the server; else sets what it asks, or returns the refusal.
        private string? Dane(Destination current, string host, ref TlsLevel level, ref string verifyName, ref TlsaRecords? dane)
        {
            if (!_dnssec && Interlocked.Exchange(ref _warnedDnssec, 1) == 0)
            {
                // Postfix does the same: without a resolver that vouches for TLSA records, dane is may.
                _log.Write(LogLevel.Warning, "dane needs smtp_dns_support_level = dnssec; until then TLSA records are not looked up and dane means may");
            }

            if (!_dnssec || !current.MxSecure || IPAddress.TryParse(host, out _))
            {
                return null;
            }

            string owner = "_" + current.Port + "._tcp." + host;
            PolicyAnswer answer = _dns.Value!.Query(owner, RecordType.Tlsa);
            if (answer.Status == LookupStatus.Failed)
            {
                // RFC 7672 §2.2: a TLSA lookup that fails (not a denial) may hide records an attacker removed: do not use the server.
                return "454 4.7.5 TLSA lookup for " + owner + " failed: " + answer.Error + "; not connecting without DANE";
            }

            if (answer.Status != LookupStatus.Found)
            {
                return null;
            }

            if (!answer.Authentic)
            {
                _log.Write(LogLevel.Info, "dane: TLSA records of " + owner + " ignored: the resolver did not mark them authentic (AD)");
                return null;
            }

            var usable = new List<byte[]>();
            foreach (byte[] record in answer.Records)
            {
                if (DaneMatch.Usable(record))
                {
                    usable.Add(record);
                }
            }

            // RFC 7672 §2.2: secure TLSA records none of which is usable still make TLS mandatory, unauthenticated.
            level = TlsLevel.Encrypt;
            verifyName = host;
            dane = usable.Count > 0 ? new TlsaRecords(usable.ToArray()) : null;
            return null;
        }

        // RFC 8461 §5.1: a valid TXT record whose id differs from the cached policy's (or no cached policy) means a fetch;
        // without a TXT record, or when the fetch fails, the unexpired cached policy holds; without that, no policy.
        private MtaStsPolicy? MtaSts(string domain)
        {
            _clock.TryGetUtcNow(out DateTime now);
            MtaStsPolicy? cached = _cache!.Get(domain, now);
            string? id = MtaStsFetch.TxtId(_dns.Value!, domain, out string problem);
            if (id == null || (cached != null && cached.Id == id))
            {
                return cached;
            }

            string? body = _fetch!.Policy(_dns.Value!, domain, out problem);
            MtaStsPolicy? fetched = null;
            try
            {
                fetched = body == null ? null : MtaStsPolicy.Parse(body, id, now);
            }
            catch (FormatException e)
            {
                problem = "the policy is invalid: " + e.Message;
            }

            if (fetched == null)
            {
                _log.Write(LogLevel.Warning, "MTA-STS: no policy for " + domain + " from https://mta-sts." + domain + "/.well-known/mta-sts.txt: " + problem
                    + (cached == null ? "; delivering as if it had none" : "; keeping the cached one (id " + cached.Id + ")"));
                return cached;
            }

            _cache.Put(domain, fetched);
            _log.Write(LogLevel.Info, "MTA-STS: policy of " + domain + " id " + id + ": mode " + fetched.ModeName + ", max_age " + fetched.MaxAge + ", mx " + string.Join(", ", fetched.Mx));
            return fetched;
        }

        /// <summary>What <see cref="Begin"/> found for the destination a runner thread is delivering to.</summary>
        private sealed class Destination
        {
            public string Domain { get; set; } = string.Empty;

            public int Port { get; set; }

            public MtaStsPolicy? Sts { get; set; }

            public bool MxSecure { get; set; }
        }
    }
}

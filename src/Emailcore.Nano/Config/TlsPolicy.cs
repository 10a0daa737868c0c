namespace Emailcore.Nano.Config
{
    /// <summary>
    /// One smtp_tls_policy_maps value: a level and the attributes this relay honours ("verify match=hostname",
    /// "secure match=mx.example.com protocols=!SSLv2:!SSLv3:!TLSv1:!TLSv1.1"), or smtp_tls_security_level alone.
    /// </summary>
    public sealed class TlsPolicy
    {
        private const string Hostname = "hostname";
        private const string Nexthop = "nexthop";

        // Null: the level's own default (verify: hostname, secure: nexthop).
        private readonly string _match;

        public TlsPolicy(TlsLevel level)
            : this(level, null)
        {
        }

        private TlsPolicy(TlsLevel level, string match)
        {
            Level = level;
            _match = match;
        }

        public TlsLevel Level { get; }

        /// <summary>
        /// The name the certificate must match at verify and secure: the server's host name (possibly learned from
        /// MX records), the next-hop domain (the recipient domain, or the relayhost's host), or a configured name.
        /// </summary>
        public string CertificateName(string nexthop, string hostname)
        {
            string match = _match ?? (Level == TlsLevel.Secure ? Nexthop : Hostname);
            if (match == Hostname)
            {
                return hostname;
            }

            return match == Nexthop ? nexthop : match;
        }

        /// <summary>Parses "level [name=value ...]"; <paramref name="fileName"/> and <paramref name="line"/> locate errors.</summary>
        public static TlsPolicy Parse(string[] words, int first, string fileName, int line)
        {
            TlsLevel level;
            if (!TlsLevels.TryParse(words[first], out level))
            {
                // TLS_README "TLS policy table": dane-only and fingerprint are Postfix levels this relay leaves out.
                string why = words[first] == "dane-only" || words[first] == "fingerprint"
                    ? " is a Postfix level this relay does not implement"
                    : " is not a TLS level";
                throw new ConfigException(fileName, line, "\"" + words[first] + "\"" + why + " (none, may, dane, encrypt, verify, secure)");
            }

            string match = null;
            for (int i = first + 1; i < words.Length; i++)
            {
                string word = words[i];
                int equals = word.IndexOf('=');
                string name = equals > 0 ? word.Substring(0, equals) : word;
                string value = equals > 0 ? word.Substring(equals + 1) : null;
                if (name == "match" && value != null)
                {
                    match = Match(level, value, fileName, line);
                }
                else if (name == "protocols" && value != null)
                {
                    CheckProtocols(value, fileName, line);
                }
                else
                {
                    throw new ConfigException(fileName, line, "\"" + word + "\" is not a policy attribute this relay supports (match=, protocols=)");
                }
            }

            return new TlsPolicy(level, match);
        }

        // postconf(5) smtp_tls_policy_maps: match= lists the names a verify or secure certificate may carry; the TLS
        // layer (SslStream on the host, mbedTLS on a board) checks one name, so one pattern is all that can be honoured.
        private static string Match(TlsLevel level, string value, string fileName, int line)
        {
            if (level < TlsLevel.Verify)
            {
                throw new ConfigException(fileName, line, "match=" + value + " needs level verify or secure, not " + TlsLevels.Name(level));
            }

            if (value != Hostname && value != Nexthop && !DomainName.IsValid(value))
            {
                throw new ConfigException(fileName, line, "match=" + value + ": this relay matches a certificate against one name: hostname, nexthop or a host name (no dot-nexthop, .domain or lists)");
            }

            return value;
        }

        // TLS_README "TLS policy table", protocols=: exclusions ("!TLSv1") or a floor (">=TLSv1.2"), colon separated.
        // The TLS seam always offers TLSv1.2 and TLSv1.3 and nothing older, so only what that already satisfies is accepted.
        private static void CheckProtocols(string value, string fileName, int line)
        {
            string[] items = value.Split(':');
            for (int i = 0; i < items.Length; i++)
            {
                string item = items[i];
                bool satisfied = item == "!SSLv2" || item == "!SSLv3" || item == "!TLSv1" || item == "!TLSv1.1"
                    || item == ">=TLSv1" || item == ">=TLSv1.1" || item == ">=TLSv1.2";
                if (!satisfied)
                {
                    throw new ConfigException(fileName, line, "protocols=" + value + ": \"" + item
                        + "\" cannot be honoured; this relay always offers TLSv1.2 and TLSv1.3 and nothing older (accepted: !SSLv2, !SSLv3, !TLSv1, !TLSv1.1, >=TLSv1.2)");
                }
            }
        }
    }
}

namespace Emailcore.Nano.Config
{
    /// <summary>smtp_tls_security_level, with Postfix's meanings.</summary>
    public enum TlsLevel
    {
        /// <summary>Plaintext only.</summary>
        None,

        /// <summary>Opportunistic: STARTTLS when offered, unverified; a failed handshake falls back to plaintext on a new connection.</summary>
        May,

        /// <summary>
        /// Postfix's opportunistic DANE (RFC 7672): TLSA records the resolver vouches for (AD bit) make TLS mandatory and
        /// authenticate the server by them; without usable ones, as may. Resolved per server before the client sees it.
        /// </summary>
        Dane,

        /// <summary>TLS required, unverified; never plaintext.</summary>
        Encrypt,

        /// <summary>TLS required, the certificate must chain to a trusted root and match the server's (possibly MX-derived) name.</summary>
        Verify,

        /// <summary>As verify, but the name must be the configured next hop, never one learned from DNS.</summary>
        Secure,
    }

    public static class TlsLevels
    {
        /// <summary>The level a main.cf word names; false for a word that is none of them.</summary>
        public static bool TryParse(string word, out TlsLevel level)
        {
            switch (word)
            {
                case "none": level = TlsLevel.None; return true;
                case "may": level = TlsLevel.May; return true;
                case "dane": level = TlsLevel.Dane; return true;
                case "encrypt": level = TlsLevel.Encrypt; return true;
                case "verify": level = TlsLevel.Verify; return true;
                case "secure": level = TlsLevel.Secure; return true;
                default: level = TlsLevel.May; return false;
            }
        }

        /// <summary>The main.cf word for a level.</summary>
        public static string Name(TlsLevel level)
        {
            switch (level)
            {
                case TlsLevel.None: return "none";
                case TlsLevel.Dane: return "dane";
                case TlsLevel.Encrypt: return "encrypt";
                case TlsLevel.Verify: return "verify";
                case TlsLevel.Secure: return "secure";
                default: return "may";
            }
        }

        public static bool Required(TlsLevel level)
        {
            return level >= TlsLevel.Encrypt;
        }
    }
}

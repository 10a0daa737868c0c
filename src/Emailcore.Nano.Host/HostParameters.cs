using Emailcore.Nano.Config;

namespace Emailcore.Nano.Host
{
    /// <summary>
    /// The parameters of what only the emailcore program does (MTA-STS, DANE), kept out of the core's table so that a
    /// board's heap does not carry them (boards/*/budget.txt). <see cref="Register"/> runs before any configuration is read.
    /// </summary>
    public static class HostParameters
    {
        /// <summary>Postfix's: dnssec trusts TLSA answers the resolver marks authenticated (AD bit), which dane needs; we validate nothing ourselves.</summary>
        public static readonly Parameter SmtpDnsSupportLevel = Parameters.DefineHostOnly("smtp_dns_support_level", ParameterKind.Choice, "enabled", "enabled|dnssec");

        /// <summary>MTA-STS (RFC 8461) for mail routed by MX: policies fetched over HTTPS, cached in queue_directory.</summary>
        public static readonly Parameter SmtpMtaStsEnable = Parameters.DefineHostOnly("smtp_mta_sts_enable", ParameterKind.Bool, "no", null);

        /// <summary>Bytes the MTA-STS policy cache may hold, in memory and in its file; the entries closest to expiry give way.</summary>
        public static readonly Parameter SmtpMtaStsCacheSize = Parameters.DefineHostOnly("smtp_mta_sts_cache_size", ParameterKind.Size, "65536", null);

        /// <summary>Whole HTTPS fetch of one MTA-STS policy: connect, TLS, request and response.</summary>
        public static readonly Parameter SmtpMtaStsFetchTimeout = Parameters.DefineHostOnly("smtp_mta_sts_fetch_timeout", ParameterKind.Time, "30s", null);

        // Explicit, so the fields above are set when Register is called, not at some time before their first use.
        static HostParameters()
        {
        }

        /// <summary>Defines the parameters above (once); the program and the tests call it before anything reads a configuration.</summary>
        public static void Register()
        {
        }
    }
}

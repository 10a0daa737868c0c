namespace Emailcore.Nano.Config
{
    /// <summary>How a parameter's value is checked; see docs/configuration.md for each form.</summary>
    public enum ParameterKind
    {
        /// <summary>Free text (checked by the component that uses it).</summary>
        Text,

        /// <summary>A file name; empty means unset.</summary>
        Path,

        /// <summary>yes or no (also true or false).</summary>
        Bool,

        /// <summary>A non-negative count.</summary>
        Count,

        /// <summary>A non-negative number of bytes.</summary>
        Size,

        /// <summary>A duration: a number with an optional unit s, m, h, d or w (seconds when absent), as in Postfix.</summary>
        Time,

        /// <summary>One word out of a fixed list.</summary>
        Choice,

        /// <summary>A host name in FQDN form, or empty.</summary>
        HostName,

        /// <summary>Domain names separated by commas or white space.</summary>
        DomainList,

        /// <summary>Networks in CIDR form ("192.168.1.0/24", "[2001:db8::]/32"), or single addresses.</summary>
        NetworkList,

        /// <summary>Listeners "address:port[/smtp|submission|smtps]".</summary>
        ListenList,

        /// <summary>Addresses "ip[:port]" or "[ipv6]:port".</summary>
        EndpointList,

        /// <summary>A next hop "host", "host:port", "[host]" or "[host]:port" (brackets: no MX lookup), or empty.</summary>
        NextHop,
    }
}

using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Config
{
    /// <summary>
    /// inet_protocols, Postfix's name: "all", or "ipv4" for a host or board without IPv6. Under ipv4 the MX router
    /// asks no AAAA questions and yields no IPv6 targets (Dns/MailRouter), and settings that need IPv6 are refused
    /// here with the line that made them: a listener, relayhost, an inline transport_maps next hop, a DNS server.
    /// </summary>
    public static class InetProtocols
    {
        public static bool Ipv6(MainConfig config)
        {
            return config.GetString(Parameters.InetProtocols) != "ipv4";
        }

        /// <summary>Throws <see cref="ConfigException"/> for the first IPv6 address the settings need under ipv4.</summary>
        public static void Check(MainConfig config)
        {
            if (Ipv6(config))
            {
                return;
            }

            string[] listen = config.GetList(Parameters.SmtpdListen);
            for (int i = 0; i < listen.Length; i++)
            {
                ListenSpec spec = ListenSpec.Parse(listen[i]);
                if (spec != null && spec.Endpoint.IsIPv6)
                {
                    Refuse(config, Parameters.SmtpdListen, listen[i]);
                }
            }

            CheckNextHop(config, Parameters.Relayhost, config.GetString(Parameters.Relayhost));
            string transports = config.GetString(Parameters.TransportMaps);
            if (transports.Length > 0 && !DomainMap.IsFileReference(transports))
            {
                DomainMap map = DomainMap.ParseInline(transports, config.FileName, config.LineOf(Parameters.TransportMaps));
                for (int i = 0; i < map.Count; i++)
                {
                    CheckNextHop(config, Parameters.TransportMaps, map.ValueAt(i));
                }
            }

            string[] servers = config.GetList(Parameters.DnsServers);
            var endpoint = new Endpoint();
            for (int i = 0; i < servers.Length; i++)
            {
                if (Endpoint.TryParse(servers[i], 53, endpoint) && endpoint.IsIPv6)
                {
                    Refuse(config, Parameters.DnsServers, servers[i]);
                }
            }
        }

        private static void CheckNextHop(MainConfig config, Parameter parameter, string value)
        {
            NextHop hop = NextHop.Parse(value);
            var address = new Endpoint();
            if (hop != null && hop.SkipMx && Endpoint.TryParseAddress(hop.Host, address) && address.IsIPv6)
            {
                Refuse(config, parameter, value);
            }
        }

        private static void Refuse(MainConfig config, Parameter parameter, string item)
        {
            throw new ConfigException(config.FileName, config.LineOf(parameter),
                parameter.Name + ": \"" + item + "\" is an IPv6 address, but inet_protocols = ipv4" + (config.Board ? " (a board's System.Net carries IPv4 only)" : string.Empty));
        }
    }
}

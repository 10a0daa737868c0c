using System;
using System.CommandLine;
using System.IO;
using Emailcore.Nano.Config;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Host.Commands
{
    /// <summary>`emailcore dns mx DOMAIN [--server IP[:PORT]] [--config FILE]`: the delivery targets the resolver finds.</summary>
    public static class DnsCommands
    {
        /// <summary>sysexits.h EX_TEMPFAIL: the lookup may succeed later.</summary>
        public static Command Create()
        {
            var domain = new Argument<string>("DOMAIN") { Description = "a mail domain, or an address literal such as [192.0.2.1]" };
            var server = new Option<string?>("--server") { Description = "ask this DNS server (IP[:PORT]) instead of dns_servers" };
            Option<FileInfo?> config = CommonOptions.Config;
            var mx = new Command("mx", "print the ordered delivery targets for a domain (RFC 5321 §5.1)") { domain, server, config };
            mx.SetAction(parse => Mx(parse.GetValue(domain)!, parse.GetValue(server), parse.GetValue(config)));
            return new Command("dns", "DNS tools") { mx };
        }

        private static int Mx(string domain, string? server, FileInfo? file)
        {
            if (server != null && !Endpoint.TryParse(server, 53, new Endpoint()))
            {
                Console.Error.WriteLine("emailcore: --server: \"" + server + "\" is not an address such as 192.0.2.53, 127.0.0.1:5353 or [2001:db8::53]:53");
                return 1;
            }

            DnsResolver resolver;
            bool ipv6;
            var random = new HostRandom();
            try
            {
                MainConfig config = ConfigLoader.Load(file?.FullName, false, file?.ToString());
                if (server != null)
                {
                    config.Set(Parameters.DnsServers.Name, server, 0);
                    config.Validate();
                }

                resolver = DnsResolver.Create(config, new HostNetwork(TlsSettings.None), random, new HostClock(), new ConsoleLog(LogLevel.Warning));
                ipv6 = InetProtocols.Ipv6(config);
            }
            catch (ConfigException e)
            {
                Console.Error.WriteLine("emailcore: " + e.Message);
                return 1;
            }

            MailRoute route = new MailRouter(resolver, random, ipv6).Route(domain, NextHop.SmtpPort);
            if (route.Status != RouteStatus.Deliverable)
            {
                Console.Error.WriteLine("emailcore: " + domain + ": " + route.EnhancedCode + " " + route.Reason);
                return route.Status == RouteStatus.Temporary ? CommonOptions.Temporary : 1;
            }

            for (int i = 0; i < route.Count; i++)
            {
                DeliveryTarget target = route[i];
                var addresses = new string[target.AddressCount];
                for (int j = 0; j < target.AddressCount; j++)
                {
                    addresses[j] = target.Address(j).AddressText();
                }

                Console.WriteLine(target.Preference + " " + target.Host + " " + string.Join(" ", addresses));
            }

            return 0;
        }
    }
}

using System;
using Emailcore.Nano.Config;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Host.Policy;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Relay;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Tests.Support;
using static Emailcore.Nano.Tests.Smtp.Client.ClientFixture;

namespace Emailcore.Nano.Tests.Relay
{
    /// <summary>
    /// One delivery by MX through the core's SmtpDelivery with the host's MTA-STS and DANE, over the host's network with
    /// port 25 moved to the test's SMTP server and 443 to its HTTPS policy server.
    /// </summary>
    internal sealed class PolicyDelivery
    {
        private readonly MovedPortNetwork _smtp;

        public PolicyDelivery(string settings, int smtpPort, int httpsPort = 0)
        {
            Config = MainConfig.Parse(System.Text.Encoding.UTF8.GetBytes("myhostname = relay.client.example\n" + settings), System.Text.Encoding.UTF8.GetByteCount("myhostname = relay.client.example\n" + settings), "main.cf", board: false);
            Config.Validate();
            if (Config.GetList(Parameters.DnsServers).Length == 0)
            {
                throw new InvalidOperationException("the tests never use the machine's resolver: set dns_servers");
            }

            _smtp = new MovedPortNetwork(new HostNetwork(TlsSettings.From(Config)), NextHop.SmtpPort, smtpPort);
            Network = new MovedPortNetwork(_smtp, MtaStsFetch.HttpsPort, httpsPort);
        }

        public MainConfig Config { get; }

        public MovedPortNetwork Network { get; }

        public ListLog Log { get; } = new();

        public string LogText => string.Join("\n", Log.Lines);

        /// <summary>Connects recorded to port 25: the SMTP servers tried.</summary>
        public int SmtpConnects => _smtp.Connects;

        /// <summary>Delivers one message to x@<paramref name="domain"/>; <paramref name="cacheDirectory"/> holds the MTA-STS cache file.</summary>
        public DeliveryResult Deliver(string domain, string? cacheDirectory)
        {
            var clock = new HostClock();
            var random = new HostRandom();
            TlsLevels.TryParse(Config.GetString(Parameters.SmtpTlsSecurityLevel), out TlsLevel level);
            var published = new DestinationPolicy(Config, Network, random, clock, Log, cacheDirectory);
            var delivery = new SmtpDelivery(new MailRouter(DnsResolver.Create(Config, Network, random, clock, Log), random, false),
                new SmtpClient(Network, clock, ClientSettings.From(Config), 4), level, TlsPolicyTable.From(Config, new HostFileSystem(".")),
                false, SaslPasswords.Empty, new AuthFailures(), OwnListeners.None, Log, clock, published);
            DeliveryResult[] results = Results(1);
            delivery.Deliver(Route.Smtp(NextHop.Parse(domain)!), Envelope("a@client.example", "x@" + domain), All(1), 1,
                MemoryMessage.Of("Subject: required TLS\r\n\r\nbody\r\n"), results);
            delivery.EndPass();
            return results[0];
        }
    }
}

using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using Emailcore.Nano.Config;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Relay;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Tests.Support;
using Xunit;
using static Emailcore.Nano.Tests.Spool.SpoolFixture;

namespace Emailcore.Nano.Tests.Relay
{
    /// <summary>Issue 18 item 2: mail to our own address literal is ours, and a next hop that is one of our listeners is a loop (RFC 5321 §5.1).</summary>
    public sealed class OwnAddressTests
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

        [Fact]
        public void ANextHopThatIsOurListenerIsRefusedAs546WithoutConnecting()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                int port = ((IPEndPoint)listener.LocalEndpoint).Port;
                var own = new OwnListeners(ListenSpec.ParseAll(new[] { "127.0.0.1:" + port }));
                var config = new MainConfig(board: false);
                var clock = new HostClock();
                var random = new HostRandom();
                var network = new HostNetwork(TlsSettings.From(config));
                var log = new ListLog();
                var smtp = new SmtpDelivery(new MailRouter(DnsResolver.Create(config, network, random, clock, log), random, false),
                    new SmtpClient(network, clock, ClientSettings.From(config), 4), TlsLevel.None, TlsPolicyTable.Empty, false, SaslPasswords.Empty, new AuthFailures(), own, log, clock, null);
                var results = new[] { new DeliveryResult() };
                smtp.Deliver(Route.Smtp(NextHop.Parse("[127.0.0.1]:" + port)), Envelope("a@lan.example", "b@far.example"), new[] { 0 }, 1,
                    MemoryMessage.Of("Subject: loop\r\n\r\nx\r\n"), results);
                smtp.EndPass();

                Assert.Equal(554, results[0].Code);
                Assert.Equal("5.4.6", results[0].Status);
                Assert.Contains("loops back to myself", results[0].Text);
                Assert.False(listener.Pending());
            }
            finally
            {
                listener.Stop();
            }
        }

        [Fact]
        public void MailToOurLiteralFromOutsideMynetworksIsDeliveredLocallyNotToOurselves()
        {
            // The client on 127.0.0.1 is outside mynetworks here, as an outside attacker would be.
            using var relay = new RelayProcess("mynetworks = 192.0.2.0/24\n");
            RunResult run = SmtpLib.Send(relay.Port, "attacker@outside.example", new[] { "victim@[127.0.0.1]" }, "Subject: literal\r\n\r\nhello\r\n");
            Assert.True(run.ExitCode == 0, run + relay.Log);
            Assert.True(relay.WaitForLog("to=<victim@[127.0.0.1]>, relay=local", Wait), relay.Log);
            string mail = File.ReadAllText(Assert.Single(relay.Mailbox("victim")));
            Assert.Contains("Subject: literal", mail);

            // One Received: ours, when it arrived; it never came back to us over SMTP.
            Assert.Equal(1, mail.Split('\n').Count(l => l.StartsWith("Received:", StringComparison.Ordinal)));
            Assert.DoesNotContain("relay=127.0.0.1", relay.Log);
        }

        [Fact]
        public void ARelayhostThatIsOurOwnListenerBouncesWith546()
        {
            int port = Smtp.Server.RelayFixture.FreePort();
            using var relay = new RelayProcess($"relayhost = [127.0.0.1]:{port}\n", port);
            RunResult run = SmtpLib.Send(relay.Port, "bob@localhost", new[] { "user@far.example" }, "Subject: loop\r\n\r\nhello\r\n");
            Assert.True(run.ExitCode == 0, run + relay.Log);
            Assert.True(relay.WaitForLog("status=bounced", Wait), relay.Log);
            Assert.Contains("554 5.4.6 mail for [127.0.0.1]:" + port + " loops back to myself", relay.Log);

            // Only the client's session reached the listener: the relay never connected to itself.
            Assert.Equal(1, relay.Log.Split('\n').Count(l => l.Contains("connect from") && !l.Contains("disconnect from")));
        }
    }
}

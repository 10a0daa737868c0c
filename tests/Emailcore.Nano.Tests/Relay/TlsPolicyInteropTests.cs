using System;
using System.IO;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Tests.Dns;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Relay
{
    /// <summary>
    /// smtp_tls_policy_maps against a real STARTTLS peer (aiosmtpd offering STARTTLS, certificate for 127.0.0.1 and
    /// mx.policy.test): the level that applied is what aiosmtpd saw, a message after STARTTLS or in plaintext, or
    /// none when verification failed. Recipient-domain keys go through MX records from a real dnsmasq; next hops
    /// written as relayhost writes them go through a real `emailcore relay`.
    /// </summary>
    public sealed class TlsPolicyInteropTests : IDisposable
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

        private readonly Aiosmtpd _server = new(requireStartTls: false, dnsName: "mx.policy.test");

        private readonly DnsmasqServer _dns = new(new[]
        {
            "--local=/policy.test/",
            "--local=/other.test/",
            "--mx-host=policy.test,mx.policy.test,10",
            "--mx-host=sub.policy.test,mx.policy.test,10",
            "--mx-host=other.test,mx.policy.test,10",
            "--host-record=mx.policy.test,127.0.0.1",
        });

        public void Dispose()
        {
            _dns.Dispose();
            _server.Dispose();
        }

        [Theory]
        // A domain's own entry: plaintext although the global level is encrypt.
        [InlineData("policy.test", "policy.test none, .policy.test verify", "encrypt", "x@policy.test|plain")]
        // A subdomain takes the ".parent" entry: verify, and the MX host's name is in the certificate.
        [InlineData("sub.policy.test", "policy.test none, .policy.test verify", "none", "x@sub.policy.test|tls")]
        // Nothing matches (Postfix's table has no "*"): the global level applies.
        [InlineData("other.test", "policy.test none, .policy.test none", "encrypt", "x@other.test|tls")]
        public void RecipientDomainKeysChooseTheLevelThePeerSees(string domain, string policies, string global, string seen)
        {
            DeliveryResult result = DeliverByMx(domain, policies, global);
            Assert.True(result.Code == 250, result.Text);
            Assert.Equal(seen, _server.Transport.Trim());
        }

        [Fact]
        public void MatchNexthopVerifiesTheRecipientDomainNotTheMxHost()
        {
            // The certificate names mx.policy.test, not sub.policy.test: with match=nexthop the handshake must fail.
            DeliveryResult result = DeliverByMx("sub.policy.test", ".policy.test verify match=nexthop", "none");
            Assert.Equal(454, result.Code);
            Assert.True(result.Status == "4.7.5", result.Text);
            Assert.Equal(string.Empty, _server.Transport);
        }

        [Fact]
        public void AddressLiteralRelayhostKeyIsTakenByTheRelayAndApplied()
        {
            using var relay = new RelayProcess(
                $"relayhost = [127.0.0.1]:{_server.Port}\nsmtp_tls_security_level = encrypt\n" +
                $"smtp_tls_policy_maps = [127.0.0.1]:{_server.Port} none, far.example verify\n");
            Assert.True(Submit(relay, "x@far.example"));
            Assert.True(relay.WaitForLog("to=<x@far.example>", Wait), relay.Log);
            Assert.Contains("status=sent", relay.Log);

            // The next hop is the relayhost, so its entry applies and the recipient domain's does not (TLS_README).
            Assert.Equal("x@far.example|plain", _server.Transport.Trim());
        }

        [Fact]
        public void RelayhostKeyWithMatchVerifiesAgainstThatName()
        {
            using var relay = new RelayProcess(
                $"relayhost = [127.0.0.1]:{_server.Port}\nsmtp_tls_CAfile = {_server.Certificate}\n" +
                $"smtp_tls_policy_maps = [127.0.0.1]:{_server.Port} verify match=wrong.policy.test\n");
            Assert.True(Submit(relay, "x@far.example"));
            Assert.True(relay.WaitForLog("to=<x@far.example>", Wait), relay.Log);
            Assert.Contains("status=deferred", relay.Log);
            Assert.Equal(string.Empty, _server.Transport);
        }

        [Fact]
        public void ConfigCheckAndRelayRefuseABadEntryWithTheSameFileAndLine()
        {
            string root = Path.Combine(Path.GetTempPath(), "emailcore-policy-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(root);
            try
            {
                string map = Path.Combine(root, "tls_policy");
                File.WriteAllText(map, "# per destination\n[127.0.0.1]:2525 none\nexample.com verify ciphers=high\n");
                string config = Path.Combine(root, "main.cf");
                File.WriteAllText(config, $"smtpd_listen = 127.0.0.1:0\nqueue_directory = {root}/queue\nhome_mailbox = {root}/mail\n" +
                    $"smtp_tls_policy_maps = {map}\n");
                string message = map + ":3: \"ciphers=high\" is not a policy attribute this relay supports (match=, protocols=)";

                RunResult check = Run.Emailcore("config", "check", config);
                Assert.Equal(1, check.ExitCode);
                Assert.Equal("emailcore: " + message, check.StandardError.Trim());

                RunResult relay = Run.Emailcore("relay", "--config", config);
                Assert.Equal(1, relay.ExitCode);

                // The relay's log lines come first (the spool was opened); its last line is the same refusal.
                Assert.EndsWith("\nemailcore: " + message, relay.StandardError.TrimEnd());
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }

        private static bool Submit(RelayProcess relay, string recipient) =>
            SmtpLib.Send(relay.Port, "a@client.example", new[] { recipient }, "Subject: policy\r\n\r\nbody\r\n").ExitCode == 0;

        /// <summary>One delivery by MX through the core's SmtpDelivery; port 25 of the MX host is aiosmtpd's port.</summary>
        private DeliveryResult DeliverByMx(string domain, string policies, string global) =>
            new PolicyDelivery($"dns_servers = {_dns.Endpoint}\nsmtp_tls_security_level = {global}\nsmtp_tls_CAfile = {_server.Certificate}\nsmtp_tls_policy_maps = {policies}\n", _server.Port)
                .Deliver(domain, null);
    }
}

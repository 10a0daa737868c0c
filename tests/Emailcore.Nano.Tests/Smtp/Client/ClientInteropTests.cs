using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Tests.Smtp.Server;
using Emailcore.Nano.Tests.Support;
using Xunit;
using static Emailcore.Nano.Tests.Smtp.Client.ClientFixture;

namespace Emailcore.Nano.Tests.Smtp.Client
{
    /// <summary>The client against real servers on loopback: Postfix's smtp-sink and Debian's aiosmtpd.</summary>
    public sealed class ClientInteropTests
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void SmtpSinkGetsTransparentContentWithAndWithoutPipelining(bool pipelining)
        {
            using var sink = pipelining ? new SmtpSink() : new SmtpSink("-p");
            SmtpClient client = NewClient();
            var failure = new DeliveryResult();
            Assert.True(client.Open(Loopback(sink.Port), "sink.example", "sink.example", TlsLevel.None, false, null, null, failure), failure.Text);
            Assert.Equal(pipelining, client.Capabilities.Pipelining);
            DeliveryResult[] results = Results(2);
            Envelope envelope = Envelope("a@client.example", "x@far.example", "y@far.example");
            client.Send(envelope, All(2), 2, MemoryMessage.Of("Subject: dots\r\n\r\n.starts with a dot\r\n..two\nbare LF\rbare CR\r\n.\r\nno final line end"), results);
            Assert.All(results, r => Assert.Equal(250, r.Code));

            // The session is reused for a second message.
            DeliveryResult[] second = Results(1);
            client.Send(Envelope("b@client.example", "z@far.example"), All(1), 1, MemoryMessage.Of("Subject: two\r\n\r\nsecond\r\n"), second);
            Assert.Equal(250, second[0].Code);
            client.Quit();

            var messages = sink.WaitFor(2, Wait);
            Assert.Equal(2, messages.Count);
            SinkMessage first = messages.Single(m => m.Content.Contains("dots"));
            Assert.Equal(new[] { "<x@far.example>", "<y@far.example>" }, first.Recipients.Select(r => r.Split(' ')[0]));
            // smtp-sink's dump ends each message with an extra newline of its own.
            Assert.EndsWith("Subject: dots\n\n.starts with a dot\n..two\nbare LF\nbare CR\n.\nno final line end\n\n", first.Content);
            Assert.StartsWith("<b@client.example>", messages.Single(m => m.Content.Contains("second")).MailFrom);
        }

        [Fact]
        public void ForcedSoftAndHardRejectionsBecomePerRecipientOutcomes()
        {
            using var soft = new SmtpSink("-r", "RCPT");
            SmtpClient client = NewClient();
            var failure = new DeliveryResult();
            Assert.True(client.Open(Loopback(soft.Port), "soft.example", "soft.example", TlsLevel.None, false, null, null, failure), failure.Text);
            DeliveryResult[] results = Results(1);
            client.Send(Envelope("a@client.example", "x@far.example"), All(1), 1, MemoryMessage.Of("Subject: x\r\n\r\nx\r\n"), results);
            Assert.InRange(results[0].Code, 400, 499);
            Assert.False(results[0].Permanent);
            client.Quit();

            using var hard = new SmtpSink("-f", "MAIL");
            Assert.True(client.Open(Loopback(hard.Port), "hard.example", "hard.example", TlsLevel.None, false, null, null, failure), failure.Text);
            results = Results(2);
            client.Send(Envelope("a@client.example", "x@far.example", "y@far.example"), All(2), 2, MemoryMessage.Of("Subject: x\r\n\r\nx\r\n"), results);
            Assert.All(results, r => Assert.True(r.Permanent, r.Text));
            client.Quit();
            Assert.Empty(hard.Messages());
        }

        [Fact]
        public void EightBitMailIsNeverSentToAServerWithout8BitMime()
        {
            using var sink = new SmtpSink("-8");
            SmtpClient client = NewClient();
            var failure = new DeliveryResult();
            Assert.True(client.Open(Loopback(sink.Port), "old.example", "old.example", TlsLevel.None, false, null, null, failure), failure.Text);
            Envelope envelope = Envelope("a@client.example", "x@far.example");
            envelope.Body = BodyType.EightBitMime;
            DeliveryResult[] results = Results(1);
            client.Send(envelope, All(1), 1, MemoryMessage.Of("Subject: Grüße\r\n\r\nü\r\n"), results);
            Assert.Equal(554, results[0].Code);
            Assert.Equal("5.6.3", results[0].Status);
            client.Quit();
            Assert.Empty(sink.Messages());
        }

        [Theory]
        [InlineData(TlsLevel.May, "PLAIN")]
        [InlineData(TlsLevel.Encrypt, "LOGIN")]
        [InlineData(TlsLevel.Verify, "PLAIN")]
        public void AiosmtpdWithStartTlsAndAuth(TlsLevel level, string mechanism)
        {
            using var server = new Aiosmtpd(mechanism);
            var tls = new TlsSettings(null, LoadRoots(server.Certificate));
            SmtpClient client = NewClient(10_000, tls);
            var failure = new DeliveryResult();
            Assert.True(client.Open(Loopback(server.Port), "127.0.0.1", "127.0.0.1", level, false, new SaslCredentials("relayuser", "relay-pass", null), null, failure), failure.Text);
            Assert.NotNull(client.TlsProtocol);
            DeliveryResult[] results = Results(1);
            client.Send(Envelope("a@client.example", "x@far.example"), All(1), 1, MemoryMessage.Of("Subject: tls\r\n\r\nsecret\r\n"), results);
            Assert.Equal(250, results[0].Code);
            client.Quit();
            // Only the one mechanism was offered, so an authenticated session used it.
            Assert.Equal("a@client.example|x@far.example|True", server.Received.Trim());

            var wrong = NewClient(10_000, tls);
            Assert.False(wrong.Open(Loopback(server.Port), "127.0.0.1", "127.0.0.1", level, false, new SaslCredentials("relayuser", "nope", null), null, failure));
            Assert.True(wrong.AuthenticationFailed, failure.Text);
            Assert.Equal(535, failure.Code);
        }

        [Fact]
        public void VerifyRejectsAnUntrustedCertificateAndWaitsForTheClock()
        {
            using var server = new Aiosmtpd("PLAIN");
            var failure = new DeliveryResult();
            Assert.False(NewClient().Open(Loopback(server.Port), "127.0.0.1", "127.0.0.1", TlsLevel.Verify, false, null, null, failure));
            Assert.Equal("4.7.5", failure.Status);

            var unknownClock = new SmtpClient(new HostNetwork(TlsSettings.None), new ManualClock { Known = false }, new ClientSettings(), 4);
            Assert.False(unknownClock.Open(Loopback(server.Port), "127.0.0.1", "127.0.0.1", TlsLevel.Secure, false, null, null, failure));
            Assert.Contains("before the clock is set", failure.Text);
        }

        [Fact]
        public void ImplicitTlsToOurOwnSmtpsListener()
        {
            using var server = new Aiosmtpd();
            using var down = SilentPort.Tcp();
            using var relay = new RelayProcess(
                $"smtpd_listen = 127.0.0.1:0/smtps\nsmtpd_tls_cert_file = {server.Certificate}\nsmtpd_tls_key_file = {Path.Combine(Path.GetDirectoryName(server.Certificate)!, "key.pem")}\n" +
                $"relayhost = [127.0.0.1]:{down.Port}\n");
            int smtps = int.Parse(System.Text.RegularExpressions.Regex.Match(relay.Log, @"listening on 127\.0\.0\.1:(\d+)/smtps").Groups[1].Value);
            var tls = new TlsSettings(null, LoadRoots(server.Certificate));
            SmtpClient client = NewClient(10_000, tls);
            var failure = new DeliveryResult();

            // RFC 8314: the handshake comes first; verify checks the certificate against our CA and the address.
            Assert.True(client.Open(Loopback(smtps), "127.0.0.1", "127.0.0.1", TlsLevel.Verify, true, null, null, failure), failure.Text + relay.Log);
            Assert.NotNull(client.TlsProtocol);
            DeliveryResult[] results = Results(1);
            client.Send(Envelope("a@localhost", "wrapped@far.example"), All(1), 1, MemoryMessage.Of("Subject: 465\r\n\r\nimplicit\r\n"), results);
            client.Quit();
            Assert.Equal(250, results[0].Code);
            Assert.Contains("implicit", Assert.Single(Delivered.Queued(relay.Queue, "wrapped@far.example").Values));
        }

        private static System.Security.Cryptography.X509Certificates.X509Certificate2Collection LoadRoots(string pem)
        {
            var roots = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
            roots.ImportFromPemFile(pem);
            return roots;
        }
    }
}

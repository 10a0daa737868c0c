using System;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Tests.Support;
using Xunit;
using static Emailcore.Nano.Tests.Smtp.Client.ClientFixture;

namespace Emailcore.Nano.Tests.Smtp.Client
{
    /// <summary>The client against servers that stall, talk nonsense, break TLS or hang up: each is a clear deferral, never a hang.</summary>
    public sealed class MisbehavingServerTests
    {
        [Fact]
        public void SilentServerTimesOut()
        {
            using var server = new ScriptedServer((c, _) => { c.Send("220 slow.example\r\n"); c.ReadLine(); c.HoldUntilClosed(); });
            var failure = new DeliveryResult();
            Assert.False(NewClient(300).Open(Loopback(server.Port), "slow.example", "slow.example", TlsLevel.None, false, null, null, failure));
            Assert.Equal(451, failure.Code);
            Assert.Contains("timed out while in EHLO", failure.Text);
        }

        [Theory]
        [InlineData("hello there\r\n", "malformed reply line")]
        [InlineData("220-first\r\n221 second\r\n", "reply lines with different codes")]
        [InlineData("2\r\n", "malformed reply line")]
        public void MalformedGreetingIsAProtocolError(string greeting, string reason)
        {
            using var server = new ScriptedServer((c, _) => { c.Send(greeting); c.HoldUntilClosed(); });
            var failure = new DeliveryResult();
            Assert.False(NewClient(2000).Open(Loopback(server.Port), "odd.example", "odd.example", TlsLevel.None, false, null, null, failure));
            Assert.Equal("4.4.2", failure.Status);
            Assert.Contains(reason, failure.Text);
        }

        [Fact]
        public void LongReplyLinesAreToleratedUpToTheBoundThenFailCleanly()
        {
            string longLine = new string('x', 2000);
            using var tolerant = new ScriptedServer((c, _) =>
            {
                c.Send("220 " + longLine + "\r\n");
                c.ReadLine();
                c.Send("250-long.example " + longLine + "\r\n250 PIPELINING\r\n");
                c.ReadLine();
            });
            var failure = new DeliveryResult();
            SmtpClient client = NewClient(2000);
            Assert.True(client.Open(Loopback(tolerant.Port), "long.example", "long.example", TlsLevel.None, false, null, null, failure), failure.Text);
            Assert.True(client.Capabilities.Pipelining);
            client.Close();

            using var abusive = new ScriptedServer((c, _) => c.Send("220 " + new string('y', 10_000) + "\r\n"));
            Assert.False(NewClient(2000).Open(Loopback(abusive.Port), "huge.example", "huge.example", TlsLevel.None, false, null, null, failure));
            Assert.Contains("reply line longer than 4096 bytes", failure.Text);
        }

        [Fact]
        public void EhloRefusedFallsBackToHelo()
        {
            using var server = new ScriptedServer((c, _) =>
            {
                c.Send("220 old.example\r\n");
                Assert.StartsWith("EHLO client.test.example", c.ReadLine());
                c.Send("502 5.5.1 what?\r\n");
                Assert.Equal("HELO client.test.example", c.ReadLine());
                c.Send("250 old.example\r\n");
                c.ReadLine();
            });
            var failure = new DeliveryResult();
            SmtpClient client = NewClient(2000);
            Assert.True(client.Open(Loopback(server.Port), "old.example", "old.example", TlsLevel.May, false, null, null, failure), failure.Text);
            Assert.False(client.Capabilities.Esmtp);
            client.Close();
        }

        [Fact]
        public void BrokenHandshakeFallsBackToPlaintextAtMayAndIsRefusedAtEncrypt()
        {
            using var server = new ScriptedServer((c, _) =>
            {
                c.Greet("STARTTLS", "PIPELINING");
                string command = c.ReadLine();
                if (command == "STARTTLS")
                {
                    c.Send("220 2.0.0 go ahead\r\nthis is not a TLS record at all\r\n");
                    c.HoldUntilClosed();
                    return;
                }

                // The fallback connection: the client must not try STARTTLS again, and must say EHLO first.
                Assert.StartsWith("MAIL FROM:", command);
                c.Send("250 ok\r\n");
                c.ReadLine();
            });
            var failure = new DeliveryResult();
            SmtpClient may = NewClient(3000);
            Assert.True(may.Open(Loopback(server.Port), "tls.example", "tls.example", TlsLevel.May, false, null, null, failure), failure.Text);
            Assert.Null(may.TlsProtocol);
            Assert.Equal(2, server.Connections);
            may.Close();

            Assert.False(NewClient(3000).Open(Loopback(server.Port), "tls.example", "tls.example", TlsLevel.Encrypt, false, null, null, failure));
            Assert.Equal("4.7.5", failure.Status);
            Assert.Contains("TLS with tls.example[127.0.0.1]", failure.Text);
        }

        [Fact]
        public void ServerStalledInTheHandshakeIsADeferralAfterSmtpStarttlsTimeout()
        {
            // The server says 220 to STARTTLS and then never answers the ClientHello; the handshake has its own
            // limit (smtp_starttls_timeout), much shorter here than the 5 minutes allowed for the EHLO reply.
            using var server = new ScriptedServer((c, _) =>
            {
                c.Greet("STARTTLS");
                c.ReadLine();
                c.Send("220 2.0.0 go ahead\r\n");
                var sink = new byte[4096];
                while (c.Client.GetStream().Read(sink, 0, sink.Length) > 0)
                {
                }
            });
            SmtpClient client = new(new HostNetwork(TlsSettings.None), new HostClock(), new ClientSettings
            {
                HeloName = "client.test.example",
                ConnectTimeout = 10_000,
                HeloTimeout = 300_000,
                StartTlsTimeout = 1_000,
            }, 16);
            var failure = new DeliveryResult();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Assert.False(client.Open(Loopback(server.Port), "tls.example", "tls.example", TlsLevel.Encrypt, false, null, null, failure));
            Assert.Equal("4.7.5", failure.Status);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(120), "the handshake waited " + watch.Elapsed + ", as long as smtp_helo_timeout");
        }

        [Fact]
        public void EncryptRefusesAServerWithoutStartTls()
        {
            using var server = new ScriptedServer((c, _) => { c.Greet("PIPELINING"); c.HoldUntilClosed(); });
            var failure = new DeliveryResult();
            Assert.False(NewClient(2000).Open(Loopback(server.Port), "plain.example", "plain.example", TlsLevel.Encrypt, false, null, null, failure));
            Assert.Equal("4.7.4", failure.Status);
            Assert.Contains("TLS is required, but was not offered", failure.Text);
        }

        [Fact]
        public void CredentialsAreNotSentWithoutTls()
        {
            using var server = new ScriptedServer((c, _) => { c.Greet("AUTH PLAIN LOGIN"); c.HoldUntilClosed(); });
            var failure = new DeliveryResult();
            Assert.False(NewClient(2000).Open(Loopback(server.Port), "plain.example", "plain.example", TlsLevel.May, false, new SaslCredentials("u", "p", null), null, failure));
            Assert.Equal("4.7.0", failure.Status);
            Assert.Contains("not sent without TLS", failure.Text);
        }

        [Fact]
        public void DisconnectInTheMiddleOfDataDefersEveryRecipient()
        {
            using var server = new ScriptedServer((c, _) =>
            {
                c.Greet("PIPELINING", "8BITMIME");
                c.ReadLine();
                c.ReadLine();
                c.ReadLine();
                c.ReadLine();
                c.Send("250 2.1.0 ok\r\n250 2.1.5 ok\r\n250 2.1.5 ok\r\n354 go\r\n");
                c.ReadLine();
                c.Client.Client.Shutdown(System.Net.Sockets.SocketShutdown.Both);
            });
            var failure = new DeliveryResult();
            SmtpClient client = NewClient(3000);
            Assert.True(client.Open(Loopback(server.Port), "cut.example", "cut.example", TlsLevel.None, false, null, null, failure), failure.Text);
            DeliveryResult[] results = Results(2);
            client.Send(Envelope("a@client.example", "x@cut.example", "y@cut.example"), All(2), 2,
                MemoryMessage.Of("Subject: big\r\n\r\n" + new string('z', 500_000) + "\r\n"), results);
            Assert.All(results, r => Assert.Equal(451, r.Code));
            Assert.All(results, r => Assert.Contains("lost connection with cut.example[127.0.0.1]", r.Text));
            Assert.False(client.IsOpen);
        }

        [Fact]
        public void Xoauth2InitialResponseGoesOutWholeEvenPast512Octets()
        {
            string token = new string('t', 1500);
            string? line = null;
            using var server = new ScriptedServer((c, _) =>
            {
                c.Greet("AUTH PLAIN LOGIN XOAUTH2");
                line = c.ReadLine();
                c.Send("235 2.7.0 accepted\r\n");
                c.ReadLine();
            });
            var failure = new DeliveryResult();
            SmtpClient client = NewClient(3000, saslTlsOnly: false);
            Assert.True(client.Open(Loopback(server.Port), "oauth.example", "oauth.example", TlsLevel.None, false, new SaslCredentials("board@example.com", null, token), null, failure), failure.Text);
            client.Close();
            Assert.StartsWith("AUTH XOAUTH2 ", line);
            Assert.True(line!.Length > 512);
            string decoded = System.Text.Encoding.ASCII.GetString(System.Convert.FromBase64String(line.Substring(13)));
            Assert.Equal("user=board@example.com\u0001auth=Bearer " + token + "\u0001\u0001", decoded);
        }

        [Fact]
        public void DsnAndUtf8ParametersGoOutWhenOffered()
        {
            var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
            using var server = new ScriptedServer((c, _) =>
            {
                c.Greet("PIPELINING", "DSN", "SMTPUTF8", "8BITMIME", "SIZE 100000");
                for (string line = c.ReadLine(); line != "DATA"; line = c.ReadLine())
                {
                    lines.Enqueue(line);
                }

                c.Send("250 ok\r\n250 ok\r\n354 go\r\n");
                while (c.ReadLine() != ".")
                {
                }

                c.Send("250 2.0.0 queued\r\n");
                c.ReadLine();
            });
            Envelope envelope = Envelope("a@client.example");
            byte[] to = System.Text.Encoding.UTF8.GetBytes("jörg@example.de");
            byte[] orcpt = System.Text.Encoding.ASCII.GetBytes("rfc822;joerg+40example.de");
            envelope.AddRecipient(to, 0, to.Length, Notify.Success | Notify.Failure, orcpt, 0, orcpt.Length);
            byte[] envid = System.Text.Encoding.ASCII.GetBytes("QQ314");
            envelope.SetEnvId(envid, 0, envid.Length);
            envelope.Ret = DsnReturn.Headers;
            envelope.SmtpUtf8 = true;
            envelope.Body = BodyType.EightBitMime;
            var failure = new DeliveryResult();
            SmtpClient client = NewClient(3000);
            Assert.True(client.Open(Loopback(server.Port), "dsn.example", "dsn.example", TlsLevel.None, false, null, null, failure), failure.Text);
            DeliveryResult[] results = Results(1);
            client.Send(envelope, All(1), 1, MemoryMessage.Of("Subject: x\r\n\r\nx\r\n"), results);
            client.Quit();
            Assert.Equal(250, results[0].Code);
            string[] sent = lines.ToArray();
            Assert.Equal("MAIL FROM:<a@client.example> SIZE=17 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314", sent[0]);
            Assert.Equal("RCPT TO:<jörg@example.de> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;joerg+40example.de", System.Text.Encoding.UTF8.GetString(System.Text.Encoding.Latin1.GetBytes(sent[1])));
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Emailcore.Nano.Config;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Smtp.Client
{
    /// <summary>
    /// The client's verbs against a scripted in-memory server, turn by turn as MailKit's transcript tests do:
    /// every turn holds the exact bytes the client must have written before it reads, and the server's reply,
    /// fed whole, a line per read or a byte per read.
    /// </summary>
    public sealed class ClientTranscriptTests
    {
        public enum Feed
        {
            Whole,
            PerLine,
            PerByte,
        }

        public static readonly TheoryData<Feed> Feeds = new() { Feed.Whole, Feed.PerLine, Feed.PerByte };

        private const string Greeting = "220 mx.example ESMTP\r\n";
        private const string Ehlo = "EHLO client.test.example\r\n";

        private sealed record Turn(string Client, string Server);

        /// <summary>One connection playing the turns; what the client wrote before each read is kept for the assertion.</summary>
        private sealed class Transcript(Feed feed, params Turn[] turns) : INetwork, IConnection
        {
            private readonly MemoryStream _written = new();
            private byte[] _reply = [];
            private int _at;
            private int _turn = -1;

            /// <summary>The client's bytes, one entry per turn, and a last one for what it wrote after the last reply.</summary>
            public List<string> Sent { get; } = new();

            public int Connects { get; private set; }

            public string? TlsProtocol { get; private set; }

            public Endpoint LocalEndpoint { get; } = ScriptedConnection.Parse("127.0.0.1:40000");

            public Endpoint RemoteEndpoint { get; } = ScriptedConnection.Parse("127.0.0.1:25");

            public bool Closed { get; private set; }

            public IConnection Connect(Endpoint remote, int timeoutMilliseconds)
            {
                Connects++;
                return this;
            }

            public int Read(byte[] buffer, int offset, int count, int timeoutMilliseconds)
            {
                if (_at == _reply.Length)
                {
                    TakeWritten();
                    if (_turn == turns.Length || ++_turn == turns.Length)
                    {
                        return 0;
                    }

                    _reply = Encoding.Latin1.GetBytes(turns[_turn].Server);
                    _at = 0;
                }

                int n = feed switch
                {
                    Feed.PerByte => 1,
                    Feed.PerLine => Array.IndexOf(_reply, (byte)'\n', _at) + 1 - _at,
                    _ => _reply.Length - _at,
                };
                n = Math.Min(n, count);
                Array.Copy(_reply, _at, buffer, offset, n);
                _at += n;
                return n;
            }

            public void Write(byte[] buffer, int offset, int count, int timeoutMilliseconds)
            {
                Assert.False(Closed, "written after close");
                _written.Write(buffer, offset, count);
            }

            public void StartTlsClient(string serverName, bool verify, TlsaRecords dane, int timeoutMilliseconds) => TlsProtocol = "TLSv1.3";

            public void StartTlsServer(int timeoutMilliseconds) => throw new NotSupportedException();

            public void Close()
            {
                Closed = true;
                TakeWritten();
            }

            /// <summary>Asserts that the client wrote exactly each turn's bytes, and <paramref name="after"/> after the last reply.</summary>
            public void AssertSent(string after = "")
            {
                var expected = new List<string>();
                foreach (Turn t in turns)
                {
                    expected.Add(t.Client);
                }

                expected.Add(after);
                TakeWritten();
                Assert.Equal(expected, Sent);
            }

            private void TakeWritten()
            {
                // Entry k: what came before turn k's reply; the last entry: what came after the last reply.
                int entry = Math.Min(_turn + 1, turns.Length);
                while (Sent.Count <= entry)
                {
                    Sent.Add("");
                }

                Sent[entry] += Encoding.Latin1.GetString(_written.ToArray());

                _written.SetLength(0);
            }

            public IListener Listen(Endpoint local) => throw new NotSupportedException();

            public IDatagramSocket OpenDatagram(Endpoint family) => throw new NotSupportedException();

            public Endpoint[] SystemDnsServers() => [];
        }

        private static SmtpClient Client(Transcript network) =>
            new(network, new ManualClock(), new ClientSettings { HeloName = "client.test.example" }, 16);

        private static bool Open(SmtpClient client, DeliveryResult failure, TlsLevel level = TlsLevel.None, SaslCredentials? credentials = null) =>
            client.Open(ClientFixture.Loopback(25), "mx.example", "mx.example", level, false, credentials, null, failure);

        private static IMessageSource Content(string text) => new ByteSource(Encoding.ASCII.GetBytes(text));

        private const string Message = "Subject: t\r\n\r\n.leading dot\r\nend\r\n";
        private const string Stuffed = "Subject: t\r\n\r\n..leading dot\r\nend\r\n.\r\n";

        [Theory]
        [MemberData(nameof(Feeds))]
        public void WithoutPipeliningEachCommandWaitsForItsReply(Feed feed)
        {
            var t = new Transcript(feed,
                new Turn("", Greeting),
                new Turn(Ehlo, "250-mx.example\r\n250-SIZE 1000\r\n250 8BITMIME\r\n"),
                new Turn("MAIL FROM:<a@client.example> SIZE=" + Message.Length + "\r\n", "250 2.1.0 Ok\r\n"),
                new Turn("RCPT TO:<b@example.org>\r\n", "250 2.1.5 Ok\r\n"),
                new Turn("RCPT TO:<c@example.org>\r\n", "550 5.1.1 <c@example.org>: no such user\r\n"),
                new Turn("RCPT TO:<d@example.org>\r\n", "450 4.2.0 <d@example.org>: greylisted\r\n"),
                new Turn("DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n"),
                new Turn(Stuffed, "250 2.0.0 Ok: queued as 1A\r\n"),
                new Turn("QUIT\r\n", "221 2.0.0 Bye\r\n"));
            SmtpClient client = Client(t);
            DeliveryResult[] results = ClientFixture.Results(3);
            Assert.True(Open(client, new DeliveryResult()));
            client.Send(ClientFixture.Envelope("a@client.example", "b@example.org", "c@example.org", "d@example.org"), ClientFixture.All(3), 3, Content(Message), results);
            client.Quit();

            t.AssertSent();
            Assert.Equal("250 2.0.0 Ok: queued as 1A", results[0].Text);
            Assert.True(results[0].Delivered);
            Assert.Equal((550, "5.1.1", "550 5.1.1 <c@example.org>: no such user"), (results[1].Code, results[1].Status, results[1].Text));
            Assert.Equal((450, "4.2.0"), (results[2].Code, results[2].Status));
            Assert.True(results[2].Replied);
            Assert.Equal("mx.example[127.0.0.1]:25", results[0].Relay);
        }

        [Theory]
        [MemberData(nameof(Feeds))]
        public void WithPipeliningMailRcptAndDataGoOutAsOneWrite(Feed feed)
        {
            var t = new Transcript(feed,
                new Turn("", Greeting),
                new Turn(Ehlo, "250-mx.example\r\n250 PIPELINING\r\n"),
                new Turn("MAIL FROM:<a@client.example>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n",
                    "250 2.1.0 Ok\r\n550 5.1.1 no such user\r\n250 2.1.5 Ok\r\n354 go ahead\r\n"),
                new Turn(Stuffed, "250 2.0.0 Ok: queued as 2B\r\n"),
                new Turn("QUIT\r\n", "221 2.0.0 Bye\r\n"));
            SmtpClient client = Client(t);
            DeliveryResult[] results = ClientFixture.Results(2);
            Assert.True(Open(client, new DeliveryResult()));
            client.Send(ClientFixture.Envelope("a@client.example", "b@example.org", "c@example.org"), ClientFixture.All(2), 2, Content(Message), results);
            client.Quit();

            t.AssertSent();
            Assert.Equal(550, results[0].Code);
            Assert.Equal("250 2.0.0 Ok: queued as 2B", results[1].Text);
        }

        [Theory]
        [MemberData(nameof(Feeds))]
        public void APipelinedRefusedMailAnswersForEveryRecipient(Feed feed)
        {
            var t = new Transcript(feed,
                new Turn("", Greeting),
                new Turn(Ehlo, "250-mx.example\r\n250 PIPELINING\r\n"),
                new Turn("MAIL FROM:<a@client.example>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n",
                    "553 5.7.1 sender refused\r\n503 5.5.1 need MAIL\r\n354 go ahead\r\n"),
                new Turn(".\r\n", "554 5.5.1 no valid recipients\r\n"),
                new Turn("MAIL FROM:<e@client.example>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n", "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n"),
                new Turn("x\r\n.\r\n", "250 2.0.0 Ok\r\n"));
            SmtpClient client = Client(t);
            DeliveryResult[] refused = ClientFixture.Results(1);
            Assert.True(Open(client, new DeliveryResult()));
            client.Send(ClientFixture.Envelope("a@client.example", "b@example.org"), ClientFixture.All(1), 1, Content("x"), refused);
            DeliveryResult[] sent = ClientFixture.Results(1);
            client.Send(ClientFixture.Envelope("e@client.example", "b@example.org"), ClientFixture.All(1), 1, Content("x"), sent);
            client.Close();

            t.AssertSent();
            Assert.Equal("553 5.7.1 sender refused", refused[0].Text);
            Assert.True(sent[0].Delivered);
        }

        [Theory]
        [MemberData(nameof(Feeds))]
        public void WhenEveryRecipientIsRefusedNoDataIsSentAndTheNextMessageStartsWithRset(Feed feed)
        {
            var t = new Transcript(feed,
                new Turn("", Greeting),
                new Turn(Ehlo, "250 mx.example\r\n"),
                new Turn("MAIL FROM:<a@client.example>\r\n", "250 2.1.0 Ok\r\n"),
                new Turn("RCPT TO:<b@example.org>\r\n", "550 5.1.1 no such user\r\n"),
                new Turn("RSET\r\n", "250 2.0.0 Ok\r\n"),
                new Turn("MAIL FROM:<a@client.example>\r\n", "250 2.1.0 Ok\r\n"),
                new Turn("RCPT TO:<c@example.org>\r\n", "250 2.1.5 Ok\r\n"),
                new Turn("DATA\r\n", "354 go ahead\r\n"),
                new Turn("x\r\n.\r\n", "250 2.0.0 Ok\r\n"),
                new Turn("QUIT\r\n", "221 2.0.0 Bye\r\n"));
            SmtpClient client = Client(t);
            DeliveryResult[] refused = ClientFixture.Results(1);
            Assert.True(Open(client, new DeliveryResult()));
            client.Send(ClientFixture.Envelope("a@client.example", "b@example.org"), ClientFixture.All(1), 1, Content("x"), refused);
            DeliveryResult[] sent = ClientFixture.Results(1);
            client.Send(ClientFixture.Envelope("a@client.example", "c@example.org"), ClientFixture.All(1), 1, Content("x"), sent);
            client.Quit();

            t.AssertSent();
            Assert.Equal(550, refused[0].Code);
            Assert.True(sent[0].Delivered);
        }

        [Theory]
        [MemberData(nameof(Feeds))]
        public void ARefusedMailAnswersForEveryRecipient(Feed feed)
        {
            var t = new Transcript(feed,
                new Turn("", Greeting),
                new Turn(Ehlo, "250 mx.example\r\n"),
                new Turn("MAIL FROM:<a@client.example>\r\n", "451 4.3.0 try again later\r\n"));
            SmtpClient client = Client(t);
            DeliveryResult[] results = ClientFixture.Results(2);
            Assert.True(Open(client, new DeliveryResult()));
            client.Send(ClientFixture.Envelope("a@client.example", "b@example.org", "c@example.org"), ClientFixture.All(2), 2, Content("x"), results);
            client.Close();

            t.AssertSent();
            Assert.All(results, r => Assert.Equal("451 4.3.0 try again later", r.Text));
        }

        [Theory]
        [MemberData(nameof(Feeds))]
        public void ALostConnectionDefersWhatWasNotAnswered(Feed feed)
        {
            var t = new Transcript(feed,
                new Turn("", Greeting),
                new Turn(Ehlo, "250-mx.example\r\n250 PIPELINING\r\n"),
                new Turn("MAIL FROM:<a@client.example>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n", "250 2.1.0 Ok\r\n550 5.1.1 no such user\r\n"));
            SmtpClient client = Client(t);
            DeliveryResult[] results = ClientFixture.Results(2);
            Assert.True(Open(client, new DeliveryResult()));
            client.Send(ClientFixture.Envelope("a@client.example", "b@example.org", "c@example.org"), ClientFixture.All(2), 2, Content("x"), results);

            t.AssertSent();
            Assert.Equal(550, results[0].Code);
            Assert.Equal((451, "4.4.2"), (results[1].Code, results[1].Status));
            Assert.StartsWith("451 4.4.2 lost connection with mx.example[127.0.0.1]:25 while sending RCPT TO", results[1].Text);
            Assert.False(client.IsOpen);
        }

        [Theory]
        [MemberData(nameof(Feeds))]
        public void HeloFollowsAnEhloTheServerDoesNotKnow(Feed feed)
        {
            var t = new Transcript(feed,
                new Turn("", Greeting),
                new Turn(Ehlo, "502 5.5.1 command not implemented\r\n"),
                new Turn("HELO client.test.example\r\n", "250 mx.example\r\n"),
                new Turn("QUIT\r\n", "221 2.0.0 Bye\r\n"));
            SmtpClient client = Client(t);
            Assert.True(Open(client, new DeliveryResult()));
            Assert.False(client.Capabilities.Pipelining);
            client.Quit();
            t.AssertSent();
        }

        [Theory]
        [MemberData(nameof(Feeds))]
        public void StartTlsThenEhloAgain(Feed feed)
        {
            var t = new Transcript(feed,
                new Turn("", Greeting),
                new Turn(Ehlo, "250-mx.example\r\n250 STARTTLS\r\n"),
                new Turn("STARTTLS\r\n", "220 2.0.0 Ready to start TLS\r\n"),
                new Turn(Ehlo, "250-mx.example\r\n250 PIPELINING\r\n"));
            SmtpClient client = Client(t);
            Assert.True(Open(client, new DeliveryResult(), TlsLevel.Encrypt));
            Assert.Equal("TLSv1.3", client.TlsProtocol);
            Assert.True(client.Capabilities.Pipelining);
            client.Close();
            t.AssertSent();
        }

        [Theory]
        [MemberData(nameof(Feeds))]
        public void StartTlsRefusedGoesOnInPlaintextAtMay(Feed feed)
        {
            var t = new Transcript(feed,
                new Turn("", Greeting),
                new Turn(Ehlo, "250-mx.example\r\n250 STARTTLS\r\n"),
                new Turn("STARTTLS\r\n", "454 4.7.0 TLS not available due to temporary reason\r\n"),
                new Turn("QUIT\r\n", "221 2.0.0 Bye\r\n"));
            SmtpClient client = Client(t);
            Assert.True(Open(client, new DeliveryResult(), TlsLevel.May));
            Assert.Null(client.TlsProtocol);
            client.Quit();
            t.AssertSent();
        }

        [Theory]
        [MemberData(nameof(Feeds))]
        public void StartTlsRefusedFailsTheOpenAtEncrypt(Feed feed)
        {
            var t = new Transcript(feed,
                new Turn("", Greeting),
                new Turn(Ehlo, "250-mx.example\r\n250 STARTTLS\r\n"),
                new Turn("STARTTLS\r\n", "454 4.7.0 TLS not available due to temporary reason\r\n"));
            SmtpClient client = Client(t);
            var failure = new DeliveryResult();
            Assert.False(Open(client, failure, TlsLevel.Encrypt));
            t.AssertSent();
            Assert.Equal("451 4.3.0 mx.example[127.0.0.1]:25 refused STARTTLS: 454 4.7.0 TLS not available due to temporary reason", failure.Text);
            Assert.False(client.IsOpen);
            Assert.Equal(1, t.Connects);
        }

        [Theory]
        [MemberData(nameof(Feeds))]
        public void AuthPlainAfterStartTls(Feed feed)
        {
            string plain = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0alice\0s3cret"));
            var t = new Transcript(feed,
                new Turn("", Greeting),
                new Turn(Ehlo, "250-mx.example\r\n250 STARTTLS\r\n"),
                new Turn("STARTTLS\r\n", "220 2.0.0 Ready to start TLS\r\n"),
                new Turn(Ehlo, "250-mx.example\r\n250 AUTH LOGIN PLAIN\r\n"),
                new Turn("AUTH PLAIN " + plain + "\r\n", "235 2.7.0 Authentication successful\r\n"));
            SmtpClient client = Client(t);
            Assert.True(Open(client, new DeliveryResult(), TlsLevel.Encrypt, new SaslCredentials("alice", "s3cret", null)));
            client.Close();
            t.AssertSent();
        }

        [Theory]
        [MemberData(nameof(Feeds))]
        public void AuthLoginRefusedCredentialsAreMarked(Feed feed)
        {
            var t = new Transcript(feed,
                new Turn("", Greeting),
                new Turn(Ehlo, "250-mx.example\r\n250 AUTH LOGIN\r\n"),
                new Turn("AUTH LOGIN\r\n", "334 VXNlcm5hbWU6\r\n"),
                new Turn("YWxpY2U=\r\n", "334 UGFzc3dvcmQ6\r\n"),
                new Turn("Z3Vlc3M=\r\n", "535 5.7.8 Error: authentication failed\r\n"));
            var settings = new ClientSettings { HeloName = "client.test.example", SaslTlsOnly = false };
            var client = new SmtpClient(t, new ManualClock(), settings, 4);
            var failure = new DeliveryResult();
            Assert.False(Open(client, failure, TlsLevel.None, new SaslCredentials("alice", "guess", null)));
            t.AssertSent();
            Assert.True(client.AuthenticationFailed);
            Assert.Equal((535, "5.7.8"), (failure.Code, failure.Status));
        }
    }
}

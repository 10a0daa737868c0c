using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Emailcore.Nano.Config;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Smtp.Server
{
    public sealed class SessionTests
    {
        private sealed class Result
        {
            public string Replies = "";
            public MemoryMessageStore Store = new();
            public ListLog Log = new();
            public ManualClock Clock = new();
            public ScriptedConnection Connection = new();

            /// <summary>The reply lines' first four characters, e.g. "250 ", "354 ".</summary>
            public string[] Codes => Replies.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Where(l => l[3] == ' ').Select(l => l[..3]).ToArray();
        }

        public static ServerSettings Settings(Action<ServerSettings>? tweak = null)
        {
            var config = new MainConfig(board: false);
            config.Set("myhostname", "mx.example.com", 1);
            ServerSettings settings = ServerSettings.From(config);
            settings.ErrorSleepMilliseconds = 1000;
            tweak?.Invoke(settings);
            return settings;
        }

        private static Result Run(string input, Action<ServerSettings>? tweak = null, int pieceSize = 0, Action<Result>? prepare = null, ListenMode mode = ListenMode.Smtp)
        {
            var r = new Result();
            if (pieceSize > 0)
            {
                r.Connection.ThenInPieces(input, pieceSize);
            }
            else
            {
                r.Connection.Then(Encoding.UTF8.GetBytes(input));
            }

            prepare?.Invoke(r);
            var session = new SmtpSession(Settings(tweak), r.Store.CreateSink(), r.Clock, r.Log);
            session.Run(r.Connection, mode);
            r.Replies = r.Connection.WrittenText;
            return r;
        }

        private const string Mail = "EHLO client.example\r\nMAIL FROM:<a@client.example>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n";

        [Fact]
        public void OneMessageIsReceivedWithTraceHeaderAndAcknowledgedAfterCommit()
        {
            Result r = Run(Mail + "Subject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n");
            Assert.Equal(new[] { "220", "250", "250", "250", "354", "250", "221" }, r.Codes);
            Assert.Contains("250 2.0.0 Ok: queued as 1A2B3C\r\n", r.Replies);
            var m = Assert.Single(r.Store.Committed);
            Assert.Equal("a@client.example", m.From);
            Assert.Equal(new[] { "b@example.org" }, m.To);
            Assert.Equal(
                "Received: from client.example ([127.0.0.1])\r\n\tby mx.example.com (Emailcore.Nano) with ESMTP id 1A2B3C\r\n\tfor <b@example.org>; Sat, 28 Nov 2026 12:00:00 +0000\r\n"
                + "Subject: hi\r\n\r\nbody\r\n",
                m.Text);
            Assert.Contains("1A2B3C: from=<a@client.example>, size=", r.Log.All);
            Assert.Contains("connect from unknown[127.0.0.1]", r.Log.All);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        [InlineData(17)]
        public void AnyFragmentationGivesTheSameResult(int pieceSize)
        {
            Result r = Run(Mail + "..dot\r\n.\r\nQUIT\r\n", pieceSize: pieceSize);
            Assert.EndsWith("\r\n.dot\r\n", Assert.Single(r.Store.Committed).Text);
        }

        [Fact]
        public void EhloAdvertisesExtensionsAndVerbsAreCaseInsensitive()
        {
            Result r = Run("ehlo client.example\r\nmail from:<a@b.example> size=100 body=8bitmime\r\nrset\r\nnoop\r\nquit\r\n");
            Assert.Contains("250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n", r.Replies);
            Assert.Contains("250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250 SMTPUTF8\r\n", r.Replies);
            Assert.DoesNotContain("STARTTLS", r.Replies);
            Assert.DoesNotContain("AUTH", r.Replies);
            Assert.Equal(new[] { "220", "250", "250", "250", "250", "221" }, r.Codes);
        }

        [Fact]
        public void PipelinedCommandsAreAnsweredInOrderInOneWrite()
        {
            Result r = Run("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<x@example.org>\r\nRCPT TO:<bad>\r\nRCPT TO:<y@example.org>\r\nDATA\r\n", prepare: x => x.Connection.Then("hi\r\n.\r\nQUIT\r\n"));
            Assert.Equal(new[] { "220", "250", "250", "250", "501", "250", "354", "250", "221" }, r.Codes);

            // Greeting, then the whole batch up to 354, then the answers to the message and QUIT.
            Assert.Equal(3, r.Connection.Writes);
            Assert.Equal(new[] { "x@example.org", "y@example.org" }, r.Store.Committed.Single().To);
        }

        [Theory]
        [InlineData("MAIL FROM:<a@b.example>\r\n", "503 5.5.1 Error: send HELO/EHLO first")]
        [InlineData("EHLO c.example\r\nRCPT TO:<a@b.example>\r\n", "503 5.5.1 Error: need MAIL command")]
        [InlineData("EHLO c.example\r\nDATA\r\n", "503 5.5.1 Error: need MAIL command")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nDATA\r\n", "554 5.5.1 Error: no valid recipients")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nMAIL FROM:<a@b.example>\r\n", "503 5.5.1 Error: nested MAIL command")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA x\r\n", "501 5.5.4 Syntax: DATA")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example> FOO=1\r\n", "555 5.5.4 Unsupported option")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example> SIZE=99999999999\r\n", "552 5.3.4 Message size exceeds fixed limit")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example> SIZE=x\r\n", "501 5.5.4 Bad SIZE syntax")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example> BODY=BINARYMIME\r\n", "501 5.5.4 Unsupported BODY type")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example> SIZE=1 SIZE=2\r\n", "501 5.5.4 Error: parameter given twice")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example> RET=ALL\r\n", "501 5.5.4 Bad RET syntax")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example> ENVID=a=b\r\n", "501 5.5.4 Error: bad parameter value")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> NOTIFY=NEVER,DELAY\r\n", "501 5.5.4 Bad NOTIFY syntax")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> ORCPT=nosemicolon\r\n", "501 5.5.4 Bad ORCPT syntax")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> FOO\r\n", "555 5.5.4 Unsupported option")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> NOTIFY=NEVER NOTIFY=NEVER\r\n", "501 5.5.4 Error: parameter given twice")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> NOTIFY=\r\n", "501 5.5.4 Error: bad parameter value")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> NOTIFY=SOMETIMES\r\n", "501 5.5.4 Bad NOTIFY syntax")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>  ORCPT=rfc822;+ZZ\r\n", "501 5.5.4 Bad ORCPT syntax")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example> ENVID=" + "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789x" + "\r\n", "501 5.5.4 Bad ENVID syntax")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example>x\r\n", "501 5.5.4 Syntax: MAIL FROM:<address>")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<" + "a1234567890123456789012345678901234567890123456789012345678901234@b.example>\r\n", "501 5.1.7 Bad sender address syntax")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@@b.example>\r\n", "501 5.1.7 Bad sender address syntax")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a.@b.example>\r\n", "501 5.1.7 Bad sender address syntax")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example\r\n", "501 5.5.4 Syntax: MAIL FROM:<address>")]
        [InlineData("EHLO c.example\r\nMAIL TO:<a@b.example>\r\n", "501 5.5.4 Syntax: MAIL FROM:<address>")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<postmaster>\r\n", "501 5.1.7 Bad sender address syntax")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<>\r\n", "501 5.1.3 Bad recipient address syntax")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@[300.1.1.1]>\r\n", "501 5.1.7 Bad sender address syntax")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<ü@d.example>\r\n", "553 5.6.7 Must declare SMTPUTF8 to send UTF8 addresses")]
        [InlineData("EHLO c.example\r\nMAIL FROM:<a@b.example> SMTPUTF8=yes\r\n", "501 5.5.4 Bad SMTPUTF8 syntax")]
        [InlineData("HELO c.example\r\nMAIL FROM:<a@b.example> SIZE=10\r\n", "555 5.5.4 Unsupported option")]
        [InlineData("EHLO\r\n", "501 5.5.4 Syntax: EHLO hostname")]
        [InlineData("EHLO printer\r\n", "501 5.5.4 Error: EHLO/HELO needs a fully qualified domain name or an address literal")]
        [InlineData("HELO bad_name.example\r\n", "501 5.5.4 Error: EHLO/HELO needs a fully qualified domain name or an address literal")]
        [InlineData("EHLO [1.2.3]\r\n", "501 5.5.4 Error: EHLO/HELO needs a fully qualified domain name or an address literal")]
        [InlineData("RSET now\r\n", "501 5.5.4 Syntax: RSET")]
        [InlineData("VRFY\r\n", "501 5.5.4 Syntax: VRFY address")]
        [InlineData("EXPN list\r\n", "502 5.5.1 Error: command not implemented")]
        [InlineData("STARTTLS\r\n", "502 5.5.1 Error: command not implemented")]
        [InlineData("AUTH PLAIN AGEAYg==\r\n", "503 5.5.1 Error: authentication not enabled")]
        [InlineData("FOO\r\n", "500 5.5.2 Error: command not recognized")]
        public void EachBadInputGetsItsReplyAndTheSessionGoesOn(string input, string reply)
        {
            Result r = Run(input + "NOOP\r\n");
            Assert.Contains("\r\n" + reply + "\r\n", r.Replies);
            Assert.EndsWith("250 2.0.0 Ok\r\n", r.Replies);
            Assert.Empty(r.Store.Committed);
        }

        [Theory]
        [InlineData("MAIL FROM:<\"john doe\\\"x\"@b.example>", "\"john doe\\\"x\"@b.example")]
        [InlineData("MAIL FROM:<>", "")]
        [InlineData("MAIL FROM:<a@[192.0.2.1]>", "a@[192.0.2.1]")]
        [InlineData("MAIL FROM:<a@[IPv6:2001:db8::1]>", "a@[IPv6:2001:db8::1]")]
        [InlineData("MAIL FROM:<@relay.example,@r2.example:a@b.example>", "a@b.example")]
        [InlineData("MAIL FROM: <a@b.example>", "a@b.example")]
        [InlineData("MAIL FROM:a@b.example", "a@b.example")]
        [InlineData("MAIL FROM:<ü@bücher.example> SMTPUTF8", "ü@bücher.example")]
        public void PathsAreParsedAndSourceRoutesDropped(string mail, string stored)
        {
            Result r = Run("EHLO c.example\r\n" + mail + "\r\nRCPT TO:<@x.example:Postmaster>\r\nDATA\r\n.\r\nQUIT\r\n");
            var m = Assert.Single(r.Store.Committed);
            Assert.Equal(stored, m.From);
            Assert.Equal(new[] { "Postmaster" }, m.To);
        }

        [Theory]
        [InlineData("MAIL FROM: <a@b.example>")]
        [InlineData("MAIL FROM:a@b.example")]
        public void StrictEnvelopesRejectTheTolerances(string mail)
        {
            Result r = Run("EHLO c.example\r\n" + mail + "\r\nQUIT\r\n", s => s.StrictEnvelopes = true);
            Assert.Contains("501 5.5.4 Syntax: MAIL FROM:<address>", r.Replies);
        }

        [Theory]
        [InlineData("EHLO 127.0.0.1", false, false, true)]
        [InlineData("EHLO 127.0.0.1", true, false, false)]
        [InlineData("EHLO [127.0.0.1]", true, false, true)]
        [InlineData("EHLO [IPv6:::1]", true, false, true)]
        [InlineData("EHLO printer", false, true, true)]
        [InlineData("HELO printer", false, false, false)]
        public void HeloArgumentRules(string hello, bool strict, bool bare, bool accepted)
        {
            Result r = Run(hello + "\r\nQUIT\r\n", s => { s.StrictEnvelopes = strict; s.HeloBareNames = bare; });
            Assert.Equal(accepted ? "250" : "501", r.Codes[1]);
        }

        [Fact]
        public void DsnAndOtherParametersAreKeptWithTheEnvelope()
        {
            var store = new MemoryMessageStore();
            var settings = Settings();
            var connection = new ScriptedConnection().Then(
                "EHLO c.example\r\nMAIL FROM:<a@b.example> SIZE=500 BODY=8BITMIME RET=HDRS ENVID=QQ+2B1 AUTH=<>\r\nRCPT TO:<c@d.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;c+40d.example\r\nDATA\r\n.\r\n");
            var sink = new CapturingSink();
            new SmtpSession(settings, sink, new ManualClock(), new ListLog()).Run(connection, ListenMode.Smtp);
            Assert.NotNull(sink.Seen);
            Assert.Contains("250 2.1.5 Ok", connection.WrittenText);
            Assert.Equal(Nano.Mail.BodyType.EightBitMime, sink.Body);
            Assert.Equal(Nano.Mail.DsnReturn.Headers, sink.Ret);
            Assert.Equal(500, sink.Size);
            Assert.Equal("QQ+2B1", sink.EnvId);
            Assert.Equal(Nano.Mail.Notify.Success | Nano.Mail.Notify.Failure, sink.Notify);
            Assert.Equal("rfc822;c+40d.example", sink.Orcpt);
            Assert.Equal(0, sink.AuthLength);
        }

        /// <summary>Copies what the envelope holds when the message is opened.</summary>
        private sealed class CapturingSink : Nano.Mail.IMessageSink
        {
            public Nano.Mail.Envelope? Seen;
            public Nano.Mail.BodyType Body;
            public Nano.Mail.DsnReturn Ret;
            public long Size;
            public string EnvId = "";
            public int Notify;
            public string Orcpt = "";
            public int AuthLength = -1;

            public bool HasRoom(long declaredSize) => true;

            public long Open(Nano.Mail.Envelope e)
            {
                Seen = e;
                Body = e.Body;
                Ret = e.Ret;
                Size = e.DeclaredSize;
                EnvId = Encoding.ASCII.GetString(e.Arena, e.EnvIdOffset, e.EnvIdLength);
                Notify = e.RecipientNotify(0);
                Orcpt = Encoding.ASCII.GetString(e.Arena, e.OrcptOffset(0), e.OrcptLength(0));
                AuthLength = e.AuthLength;
                return 1;
            }

            public bool Write(byte[] buffer, int offset, int count) => true;

            public bool Commit() => true;

            public void Abort()
            {
            }
        }

        [Fact]
        public void RecipientLimitGives452AndKeepsTheOthers()
        {
            Result r = Run("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<1@d.example>\r\nRCPT TO:<2@d.example>\r\nRCPT TO:<3@d.example>\r\nDATA\r\n.\r\nQUIT\r\n", s => s.RecipientLimit = 2);
            Assert.Contains("452 4.5.3 Error: too many recipients", r.Replies);
            Assert.Equal(2, r.Store.Committed.Single().To.Length);
        }

        [Fact]
        public void RelayIsDeniedOutsideMynetworksButLocalDomainsAndPostmasterAreAccepted()
        {
            Result r = Run("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@other.example>\r\nRCPT TO:<x@LOCALHOST>\r\nRCPT TO:<postmaster>\r\nRCPT TO:<x@[127.0.0.1]>\r\nQUIT\r\n",
                s => s.Mynetworks = new[] { Nano.Platform.AddressRange.Parse("10.0.0.0/8") });
            Assert.Contains("554 5.7.1 <x@other.example>: Relay access denied\r\n", r.Replies);
            Assert.Equal(new[] { "220", "250", "250", "554", "250", "250", "250", "221" }, r.Codes);
            Assert.Contains("NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 554 5.7.1 <x@other.example>: Relay access denied; from=<a@b.example> proto=ESMTP helo=<c.example>", r.Log.All);
        }

        [Fact]
        public void TooManyErrorsEndTheSessionWith421()
        {
            Result r = Run(string.Concat(Enumerable.Repeat("FOO\r\n", 5)) + "NOOP\r\n", s => s.HardErrorLimit = 3);
            Assert.EndsWith("500 5.5.2 Error: command not recognized\r\n421 4.7.0 mx.example.com Error: too many errors\r\n", r.Replies);
            Assert.Equal(3, r.Codes.Count(c => c == "500"));
        }

        [Fact]
        public void ServerTimeoutGives421()
        {
            Result r = Run("EHLO c.example\r\n", prepare: x => x.Connection.ThenTimeout());
            Assert.EndsWith("421 4.4.2 mx.example.com Error: timeout exceeded\r\n", r.Replies);
            Assert.Contains("timeout after EHLO from unknown[127.0.0.1]", r.Log.All);
        }

        [Fact]
        public void TimeoutInsideDataStoresNothing()
        {
            Result r = Run(Mail + "partial\r\n", prepare: x => x.Connection.ThenTimeout());
            Assert.EndsWith("421 4.4.2 mx.example.com Error: timeout exceeded\r\n", r.Replies);
            Assert.Empty(r.Store.Committed);
            Assert.Equal(1, r.Store.Aborted);
        }

        [Fact]
        public void LostConnectionInsideDataStoresNothing()
        {
            Result r = Run(Mail + "partial\r\n");
            Assert.Empty(r.Store.Committed);
            Assert.Equal(1, r.Store.Aborted);
        }

        [Fact]
        public void OverlongCommandLineGets500AndTheReaderResynchronizes()
        {
            Result r = Run("NOOP " + new string('x', 600) + "\r\nNOOP " + new string('y', 3000) + "\r\nNOOP\r\n");
            Assert.Equal(new[] { "220", "500", "500", "250" }, r.Codes);
            Assert.Contains("500 5.5.2 Error: line too long", r.Replies);
        }

        [Theory]
        [InlineData("bare\nline\r\n")]
        [InlineData("bare\rcr\r\n")]
        [InlineData("double\r\r\n")]
        [InlineData("x\r\n\n.\n")]
        [InlineData("x\r\n\r.\r\n")]
        [InlineData("x\n.\r\n")]
        [InlineData("x\r\n.\n")]
        public void BareNewlinesAreRejectedAndDoNotEndTheData(string smuggled)
        {
            // A smuggled "end of data" must not end it: the message goes on to the real <CRLF>.<CRLF>,
            // and the MAIL after it is part of the rejected message, never a second transaction.
            Result r = Run(Mail + smuggled + "MAIL FROM:<evil@b.example>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n\r\n.\r\nQUIT\r\n");
            Assert.Contains("550 5.5.2 Error: bare <CR> or <LF> received (smtpd_forbid_bare_newline)\r\n", r.Replies);
            Assert.Equal(new[] { "220", "250", "250", "250", "354", "550", "221" }, r.Codes);
            Assert.Empty(r.Store.Committed);
            Assert.Equal(1, r.Store.Aborted);
        }

        [Fact]
        public void BareNewlinesPassByteForByteWhenAllowedButStillDoNotEndTheData()
        {
            Result r = Run(Mail + "a\nb\rc\r\n.\nstill\r\n.\r\nQUIT\r\n", s => s.ForbidBareNewline = false);
            var m = Assert.Single(r.Store.Committed);
            Assert.EndsWith("\r\na\nb\rc\r\n\nstill\r\n", m.Text);
        }

        [Fact]
        public void LongTextLinesPassThroughInPiecesWithoutDotUnstuffingTheirMiddle()
        {
            string longLine = new string('a', 1500) + "." + new string('b', 700);
            Result r = Run(Mail + longLine + "\r\n..x\r\n.\r\nQUIT\r\n");
            Assert.EndsWith("\r\n" + longLine + "\r\n.x\r\n", Assert.Single(r.Store.Committed).Text);
        }

        [Fact]
        public void OversizedMessageGets552AfterTheDotAndNothingIsStored()
        {
            Result r = Run(Mail + new string('x', 200) + "\r\n.\r\nNOOP\r\n", s => s.MessageSizeLimit = 100);
            Assert.Contains("552 5.3.4 Message size exceeds fixed limit\r\n250 2.0.0 Ok\r\n", r.Replies);
            Assert.Empty(r.Store.Committed);
            Assert.Equal(1, r.Store.Aborted);
        }

        [Fact]
        public void FailedCommitGives452AndNothingIsAcknowledged()
        {
            Result r = Run(Mail + "x\r\n.\r\nQUIT\r\n", prepare: x => x.Store.CommitSucceeds = false);
            Assert.Contains("452 4.3.1 Insufficient system storage\r\n", r.Replies);
            Assert.DoesNotContain("queued as", r.Replies);
        }

        [Fact]
        public void FullStoreWhileStreamingGives452AfterTheDot()
        {
            Result r = Run(Mail + new string('x', 300) + "\r\n.\r\nQUIT\r\n", prepare: x => x.Store.WriteLimit = 250);
            Assert.Contains("452 4.3.1 Insufficient system storage\r\n221", r.Replies);
            Assert.Empty(r.Store.Committed);
        }

        [Fact]
        public void NoRoomGives452AtMailWithSizeAndAtData()
        {
            Result r = Run("EHLO c.example\r\nMAIL FROM:<a@b.example> SIZE=10\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nQUIT\r\n", prepare: x => x.Store.Room = false);
            Assert.Equal(new[] { "220", "250", "452", "250", "250", "452", "221" }, r.Codes);
        }

        [Fact]
        public void UnknownClockDefersMail()
        {
            Result r = Run("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nQUIT\r\n", prepare: x => x.Clock.UtcNow = null);
            Assert.Contains("451 4.3.2 Error: system clock not yet set, try again later", r.Replies);
        }

        [Fact]
        public void SeveralTransactionsAndRsetInOneSession()
        {
            Result r = Run(Mail + "one\r\n.\r\nMAIL FROM:<c@d.example>\r\nRSET\r\nMAIL FROM:<e@f.example>\r\nRCPT TO:<g@h.example>\r\nRCPT TO:<i@h.example>\r\nDATA\r\ntwo\r\n.\r\nQUIT\r\n");
            Assert.Equal(2, r.Store.Committed.Count);
            Assert.Equal("e@f.example", r.Store.Committed[1].From);
            Assert.DoesNotContain("\tfor <", r.Store.Committed[1].Text);
        }

        [Fact]
        public void HeloIsPlainSmtpAndVrfyHelpQuitAnswer()
        {
            Result r = Run("HELO c.example\r\nVRFY x\r\nHELP\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n.\r\nQUIT\r\n");
            Assert.Contains("250 mx.example.com\r\n252 2.0.0", r.Replies);
            Assert.Contains("214 2.0.0", r.Replies);
            Assert.Contains(" with SMTP id ", r.Store.Committed.Single().Text);
            Assert.EndsWith("221 2.0.0 Bye\r\n", r.Replies);
        }

        [Fact]
        public void EncryptLevelRequiresStartTlsBeforeMail()
        {
            Result r = Run("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nQUIT\r\n", s => { s.TlsOffered = true; s.TlsRequired = true; });
            Assert.Contains("250-STARTTLS", r.Replies);
            Assert.Contains("530 5.7.0 Must issue a STARTTLS command first", r.Replies);
        }

        [Fact]
        public void StartTlsDiscardsPipelinedPlaintextAndResetsTheSession()
        {
            Result r = Run("EHLO c.example\r\nSTARTTLS\r\nMAIL FROM:<evil@b.example>\r\n", s => s.TlsOffered = true,
                prepare: x => x.Connection.Then("MAIL FROM:<a@b.example>\r\nEHLO c.example\r\nSTARTTLS\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n.\r\nQUIT\r\n"));
            Assert.Equal(new[] { "220", "250", "220", "503", "250", "554", "250", "250", "354", "250", "221" }, r.Codes);
            Assert.Contains("503 5.5.1 Error: send HELO/EHLO first", r.Replies);
            Assert.Contains("554 5.5.1 Error: TLS already active", r.Replies);
            Assert.Contains(" with ESMTPS id ", r.Store.Committed.Single().Text);
            Assert.Contains("\t(using TLSv1.3)\r\n", r.Store.Committed.Single().Text);
            Assert.DoesNotContain("evil", string.Join("", r.Store.Committed.Select(m => m.From)));
            Assert.Contains("discarding plaintext pipelined after STARTTLS", r.Log.All);
        }

        [Fact]
        public void ImplicitTlsStartsWithTheHandshake()
        {
            Result r = Run("EHLO c.example\r\nQUIT\r\n", s => s.TlsOffered = true, mode: ListenMode.Smtps);
            Assert.Equal("TLSv1.3", r.Connection.TlsProtocol);
            Assert.DoesNotContain("STARTTLS", r.Replies);
        }

        [Theory]
        [InlineData(ListenMode.Submission, false, "530 5.7.0 Authentication required")]
        [InlineData(ListenMode.Smtps, false, "530 5.7.0 Authentication required")]
        [InlineData(ListenMode.Submission, true, "250 2.1.0 Ok")]
        [InlineData(ListenMode.Smtp, false, "250 2.1.0 Ok")]
        public void SubmissionPortsRequireAuthOutsideMynetworks(ListenMode mode, bool trusted, string reply)
        {
            Result r = Run("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nQUIT\r\n", s =>
            {
                Auth(s);
                s.Mynetworks = trusted ? s.Mynetworks : Array.Empty<Nano.Platform.AddressRange>();
            }, mode: mode);
            Assert.Contains("\r\n" + reply + "\r\n", r.Replies);
        }

        internal static SaslUsers Users(string user = "alice", string password = "s3cret pass", int iterations = 1000)
        {
            byte[] salt = RandomNumberGenerator.GetBytes(16);
            byte[] hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
            byte[] file = Encoding.UTF8.GetBytes("# users\n" + user + ":$pbkdf2-sha256$" + iterations + "$" + Convert.ToBase64String(salt) + "$" + Convert.ToBase64String(hash) + "\n");
            return SaslUsers.Parse(file, file.Length, "users");
        }

        private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

        private static void Auth(ServerSettings s)
        {
            s.AuthEnabled = true;
            s.Users = Users();
            s.TlsOffered = true;
        }

        [Fact]
        public void AuthIsOfferedOnlyOverTlsByDefault()
        {
            Result r = Run("EHLO c.example\r\nAUTH PLAIN " + B64("\0alice\0s3cret pass") + "\r\nQUIT\r\n", Auth);
            Assert.DoesNotContain("AUTH PLAIN LOGIN", r.Replies);
            Assert.Contains("503 5.5.1 Error: authentication not enabled", r.Replies);
        }

        [Fact]
        public void AuthPlainAndLoginSucceedOverTlsAndRelayOutsideMynetworks()
        {
            Action<ServerSettings> tweak = s => { Auth(s); s.Mynetworks = Array.Empty<Nano.Platform.AddressRange>(); };
            Result plain = Run("EHLO c.example\r\nSTARTTLS\r\n", tweak,
                prepare: x => x.Connection.Then("EHLO c.example\r\nAUTH PLAIN " + B64("\0alice\0s3cret pass") + "\r\nMAIL FROM:<a@b.example> AUTH=a+40b.example\r\nRCPT TO:<x@far.example>\r\nDATA\r\n.\r\nQUIT\r\n"));
            Assert.Contains("250-AUTH PLAIN LOGIN", plain.Replies);
            Assert.Contains("235 2.7.0 Authentication successful", plain.Replies);
            Assert.Contains(" with ESMTPSA id ", plain.Store.Committed.Single().Text);
            Assert.Equal("a+40b.example", plain.Store.Committed.Single().Auth);
            Assert.Contains("client=unknown[127.0.0.1], sasl_method=PLAIN, sasl_username=alice", plain.Log.All);
            Assert.DoesNotContain("s3cret", plain.Log.All);

            Result login = Run("EHLO c.example\r\nSTARTTLS\r\n", tweak,
                prepare: x => x.Connection.Then("EHLO c.example\r\nAUTH LOGIN\r\n").Then(B64("alice") + "\r\n").Then(B64("s3cret pass") + "\r\nQUIT\r\n"));
            Assert.Contains("334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0", login.Replies);

            Result empty = Run("EHLO c.example\r\nSTARTTLS\r\n", tweak,
                prepare: x => x.Connection.Then("EHLO c.example\r\nAUTH PLAIN\r\n").Then(B64("alice\0alice\0s3cret pass") + "\r\nQUIT\r\n"));
            Assert.Contains("334 \r\n235 2.7.0", empty.Replies);
        }

        [Theory]
        [InlineData("AUTH PLAIN {wrong}\r\n", "535 5.7.8 Error: authentication failed")]
        [InlineData("AUTH PLAIN {nouser}\r\n", "535 5.7.8 Error: authentication failed")]
        [InlineData("AUTH PLAIN {proxy}\r\n", "535 5.7.8 Error: authentication failed")]
        [InlineData("AUTH PLAIN !!!\r\n", "501 5.5.2 Error: cannot decode response")]
        [InlineData("AUTH PLAIN\r\n*\r\n", "501 5.7.0 Error: authentication aborted")]
        [InlineData("AUTH LOGIN\r\n*\r\n", "501 5.7.0 Error: authentication aborted")]
        [InlineData("AUTH PLAIN =\r\n", "535 5.7.8 Error: authentication failed")]
        [InlineData("AUTH\r\n", "501 5.5.4 Syntax: AUTH mechanism")]
        [InlineData("AUTH CRAM-MD5\r\n", "504 5.5.4 Unrecognized authentication type")]
        [InlineData("AUTH PLAIN {long}\r\n", "500 5.5.6 Authentication Exchange line is too long")]
        [InlineData("MAIL FROM:<a@b.example>\r\nAUTH PLAIN {good}\r\n", "503 5.5.1 Error: MAIL transaction in progress")]
        public void AuthFailuresGetTheirRepliesAndTheSessionGoesOn(string command, string reply)
        {
            command = command.Replace("{wrong}", B64("\0alice\0guess")).Replace("{nouser}", B64("\0bob\0s3cret pass"))
                .Replace("{proxy}", B64("bob\0alice\0s3cret pass")).Replace("{good}", B64("\0alice\0s3cret pass"))
                .Replace("{long}", new string('A', 13000));
            Result r = Run("EHLO c.example\r\nSTARTTLS\r\n", Auth, prepare: x => x.Connection.Then("EHLO c.example\r\n" + command + "NOOP\r\n"));
            Assert.Contains("\r\n" + reply + "\r\n250 2.0.0 Ok\r\n", r.Replies);
            if (reply.StartsWith("535"))
            {
                Assert.Equal(1000, r.Clock.Slept);
                Assert.Contains("authentication failed", r.Log.All);
            }

            Assert.DoesNotContain("guess", r.Log.All);
        }

        [Fact]
        public void AuthAnswerTimeoutGives421()
        {
            Result r = Run("EHLO c.example\r\nSTARTTLS\r\n", Auth, prepare: x => x.Connection.Then("EHLO c.example\r\nAUTH LOGIN\r\n").ThenTimeout());
            Assert.EndsWith("334 VXNlcm5hbWU6\r\n421 4.4.2 mx.example.com Error: timeout exceeded\r\n", r.Replies);
        }

        [Theory]
        [InlineData(16384)]
        [InlineData(1024)]
        public void AuthLineUpTo12288OctetsIsReadWhole(int envelopeBuffer)
        {
            // A PLAIN response of a 10700-octet line is decoded in pieces, whether or not the decoded bytes fit the buffer.
            string response = B64("\0alice\0" + new string('p', 8000));
            Result r = Run("EHLO c.example\r\nSTARTTLS\r\n", s => { Auth(s); s.EnvelopeBufferSize = envelopeBuffer; },
                prepare: x => x.Connection.Then("EHLO c.example\r\nAUTH PLAIN " + response + "\r\nNOOP\r\n"));
            Assert.Contains("535 5.7.8 Error: authentication failed\r\n250 2.0.0 Ok\r\n", r.Replies);
        }

        [Fact]
        public void BoardSessionBuffersStayWithinFourKibibytes()
        {
            var config = new MainConfig(board: true);
            var session = new SmtpSession(ServerSettings.From(config), new MemoryMessageStore().CreateSink(), new ManualClock(), new ListLog());
            Assert.True(session.FixedBufferBytes <= 4096, session.FixedBufferBytes + " bytes");
        }

        [Fact]
        public void DateIsRfc5322()
        {
            byte[] buffer = new byte[64];
            int n = ReceivedHeader.FormatDate(new DateTime(2027, 1, 3, 4, 5, 6, DateTimeKind.Utc), buffer, 0);
            Assert.Equal("Sun, 3 Jan 2027 04:05:06 +0000", Encoding.ASCII.GetString(buffer, 0, n));
        }
    }
}

#nullable disable
using System;
using Emailcore.Nano.Config;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Tests.Support;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Tests.Portable
{
    /// <summary>Whole server sessions over a scripted connection: replies, stored bytes and log lines, turn by turn.</summary>
    public static class SessionCases
    {
        public const string Mail = "EHLO client.example\r\nMAIL FROM:<a@client.example>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n";

        /// <summary>alice / "s3cret pass", PBKDF2-SHA256 with 100 iterations and salt 00..0f (made with Python's hashlib).</summary>
        public const string UsersFile = "# users\nalice:$pbkdf2-sha256$100$AAECAwQFBgcICQoLDA0ODw==$qeuK7UarUXfagAqMU8OMY+iVJZ6vU7L6XNVar56Jscc=\n";

        public delegate void Tweak(ServerSettings settings);

        public delegate void Prepare(SessionRun run);

        public static void Register(TestList t)
        {
            t.Add("Session.one message is received with a trace header and acknowledged after commit", OneMessage);
            t.Add("Session.fragmentation 1", delegate { Fragmentation(1); });
            t.Add("Session.fragmentation 3", delegate { Fragmentation(3); });
            t.Add("Session.fragmentation 17", delegate { Fragmentation(17); });
            t.Add("Session.EHLO advertises extensions and verbs are case-insensitive", EhloAndCase);
            t.Add("Session.pipelined commands are answered in order in one write", Pipelining);
            BadInputs(t);
            t.Add("Session.quoted local part", delegate { Path("MAIL FROM:<\"john doe\\\"x\"@b.example>", "\"john doe\\\"x\"@b.example"); });
            t.Add("Session.null reverse path", delegate { Path("MAIL FROM:<>", ""); });
            t.Add("Session.IPv4 address literal", delegate { Path("MAIL FROM:<a@[192.0.2.1]>", "a@[192.0.2.1]"); });
            t.Add("Session.IPv6 address literal", delegate { Path("MAIL FROM:<a@[IPv6:2001:db8::1]>", "a@[IPv6:2001:db8::1]"); });
            t.Add("Session.source route dropped", delegate { Path("MAIL FROM:<@relay.example,@r2.example:a@b.example>", "a@b.example"); });
            t.Add("Session.space after colon tolerated", delegate { Path("MAIL FROM: <a@b.example>", "a@b.example"); });
            t.Add("Session.address without brackets tolerated", delegate { Path("MAIL FROM:a@b.example", "a@b.example"); });
            t.Add("Session.UTF-8 address with SMTPUTF8", delegate { Path("MAIL FROM:<\u00fc@b\u00fccher.example> SMTPUTF8", "\u00fc@b\u00fccher.example"); });
            t.Add("Session.strict envelopes reject the space after the colon", delegate { Strict("MAIL FROM: <a@b.example>"); });
            t.Add("Session.strict envelopes reject a bare address", delegate { Strict("MAIL FROM:a@b.example"); });
            t.Add("Session.HELO bare IP tolerated", delegate { Helo("EHLO 127.0.0.1", false, false, true); });
            t.Add("Session.HELO bare IP refused when strict", delegate { Helo("EHLO 127.0.0.1", true, false, false); });
            t.Add("Session.HELO IPv4 literal", delegate { Helo("EHLO [127.0.0.1]", true, false, true); });
            t.Add("Session.HELO IPv6 literal", delegate { Helo("EHLO [IPv6:::1]", true, false, true); });
            t.Add("Session.HELO bare name allowed by smtpd_helo_bare_names", delegate { Helo("EHLO printer", false, true, true); });
            t.Add("Session.HELO bare name refused", delegate { Helo("HELO printer", false, false, false); });
            ClientPolicies(t);
            t.Add("Session.DSN and other parameters are kept with the envelope", DsnParameters);
            t.Add("Session.recipient limit gives 452 and keeps the others", RecipientLimit);
            t.Add("Session.server timeout gives 421", ServerTimeout);
            t.Add("Session.timeout inside DATA stores nothing", TimeoutInData);
            t.Add("Session.lost connection inside DATA stores nothing", LostInData);
            t.Add("Session.overlong command line gets 500 and the reader resynchronizes", Overlong);
            t.Add("Session.smuggling bare LF", delegate { Smuggling("bare\nline\r\n"); });
            t.Add("Session.smuggling bare CR", delegate { Smuggling("bare\rcr\r\n"); });
            t.Add("Session.smuggling CR CR LF", delegate { Smuggling("double\r\r\n"); });
            t.Add("Session.smuggling LF dot LF", delegate { Smuggling("x\r\n\n.\n"); });
            t.Add("Session.smuggling CR dot CR LF", delegate { Smuggling("x\r\n\r.\r\n"); });
            t.Add("Session.smuggling LF dot CR LF", delegate { Smuggling("x\n.\r\n"); });
            t.Add("Session.smuggling CR LF dot LF", delegate { Smuggling("x\r\n.\n"); });
            t.Add("Session.bare newlines pass when allowed but do not end the data", BareAllowed);
            t.Add("Session.long text lines pass in pieces without unstuffing their middle", LongLines);
            t.Add("Session.oversized message gets 552 after the dot", Oversized);
            t.Add("Session.failed commit gives 452 and nothing is acknowledged", FailedCommit);
            t.Add("Session.full store while streaming gives 452 after the dot", FullWhileStreaming);
            t.Add("Session.no room gives 452 at MAIL with SIZE and at DATA", NoRoom);
            t.Add("Session.unknown clock defers MAIL", UnknownClock);
            t.Add("Session.several transactions and RSET in one session", SeveralTransactions);
            t.Add("Session.HELO is plain SMTP; VRFY, HELP and QUIT answer", HeloVrfyHelp);
            t.Add("Session.HELP names STARTTLS and AUTH only when they are offered", HelpOffers);
            t.Add("Session.encrypt level requires STARTTLS before MAIL", EncryptLevel);
            t.Add("Session.STARTTLS discards pipelined plaintext and resets the session", StartTlsReset);
            t.Add("Session.implicit TLS starts with the handshake", ImplicitTls);
            t.Add("Session.submission requires AUTH outside mynetworks", delegate { Submission(ListenMode.Submission, false, "530 5.7.0 Authentication required"); });
            t.Add("Session.smtps requires AUTH outside mynetworks", delegate { Submission(ListenMode.Smtps, false, "530 5.7.0 Authentication required"); });
            t.Add("Session.submission from mynetworks needs no AUTH", delegate { Submission(ListenMode.Submission, true, "250 2.1.0 Ok"); });
            t.Add("Session.port 25 outside mynetworks takes MAIL", delegate { Submission(ListenMode.Smtp, false, "250 2.1.0 Ok"); });
            t.Add("Session.AUTH is offered only over TLS by default", AuthOnlyOverTls);
            t.Add("Session.AUTH PLAIN over TLS relays outside mynetworks", AuthPlain);
            t.Add("Session.AUTH LOGIN over TLS", AuthLogin);
            t.Add("Session.AUTH PLAIN with an empty initial response", AuthPlainEmpty);
            t.Add("Session.AUTH wrong password", delegate { AuthFailure("AUTH PLAIN " + Plain("", "alice", "guess") + "\r\n", "535 5.7.8 Error: authentication failed"); });
            t.Add("Session.AUTH unknown user", delegate { AuthFailure("AUTH PLAIN " + Plain("", "bob", "s3cret pass") + "\r\n", "535 5.7.8 Error: authentication failed"); });
            t.Add("Session.AUTH proxy authorization refused", delegate { AuthFailure("AUTH PLAIN " + Plain("bob", "alice", "s3cret pass") + "\r\n", "535 5.7.8 Error: authentication failed"); });
            t.Add("Session.AUTH undecodable response", delegate { AuthFailure("AUTH PLAIN !!!\r\n", "501 5.5.2 Error: cannot decode response"); });
            t.Add("Session.AUTH PLAIN aborted", delegate { AuthFailure("AUTH PLAIN\r\n*\r\n", "501 5.7.0 Error: authentication aborted"); });
            t.Add("Session.AUTH LOGIN aborted", delegate { AuthFailure("AUTH LOGIN\r\n*\r\n", "501 5.7.0 Error: authentication aborted"); });
            t.Add("Session.AUTH PLAIN empty response", delegate { AuthFailure("AUTH PLAIN =\r\n", "535 5.7.8 Error: authentication failed"); });
            t.Add("Session.AUTH without mechanism", delegate { AuthFailure("AUTH\r\n", "501 5.5.4 Syntax: AUTH mechanism"); });
            t.Add("Session.AUTH unknown mechanism", delegate { AuthFailure("AUTH CRAM-MD5\r\n", "504 5.5.4 Unrecognized authentication type"); });
            t.Add("Session.AUTH line too long", delegate { AuthFailure("AUTH PLAIN " + new string('A', 13000) + "\r\n", "500 5.5.6 Authentication Exchange line is too long"); });
            t.Add("Session.AUTH inside a transaction", delegate { AuthFailure("MAIL FROM:<a@b.example>\r\nAUTH PLAIN " + Plain("", "alice", "s3cret pass") + "\r\n", "503 5.5.1 Error: MAIL transaction in progress"); });
            t.Add("Session.AUTH answer timeout gives 421", AuthTimeout);
            t.Add("Session.AUTH line up to 12288 octets is read whole (16 KiB envelope)", delegate { AuthLongLine(16384); });
            t.Add("Session.AUTH line up to 12288 octets is read whole (1 KiB envelope)", delegate { AuthLongLine(1024); });
            t.Add("Session.board session buffers stay within 4 KiB", BoardBuffers);
            t.Add("Session.Received date is RFC 5322", DateIsRfc5322);
            t.Add("Session.fifty sessions on one session object", ManySessions);
        }

        /// <summary>What one run of a session left: the replies, the store, the log, the clock.</summary>
        public sealed class SessionRun
        {
            public string Replies = "";
            public MemoryMessageStore Store = new MemoryMessageStore();
            public ListLog Log = new ListLog();
            public ManualClock Clock = new ManualClock();
            public ScriptedConnection Connection = new ScriptedConnection();

            /// <summary>DNS about the client, for settings that need it (a <see cref="Prepare"/> sets it).</summary>
            public IClientLookup Lookup;

            /// <summary>The final reply lines' codes, e.g. "220,250,354,250,221".</summary>
            public string Codes
            {
                get { return ReplyCodes(Replies); }
            }
        }

        public static string ReplyCodes(string replies)
        {
            string codes = "";
            int start = 0;
            while (start < replies.Length)
            {
                int end = replies.IndexOf("\r\n", start);
                if (end < 0)
                {
                    end = replies.Length;
                }

                if (end - start >= 4 && replies[start + 3] == ' ')
                {
                    codes += (codes.Length == 0 ? "" : ",") + replies.Substring(start, 3);
                }

                start = end + 2;
            }

            return codes;
        }

        public static ServerSettings Settings(Tweak tweak)
        {
            var config = new MainConfig(false);
            config.Set("myhostname", "mx.example.com", 1);
            ServerSettings settings = ServerSettings.From(config);
            settings.ErrorSleepMilliseconds = 1000;
            if (tweak != null)
            {
                tweak(settings);
            }

            return settings;
        }

        public static SessionRun Run(string input, Tweak tweak = null, int pieceSize = 0, Prepare prepare = null, ListenMode mode = ListenMode.Smtp)
        {
            var r = new SessionRun();
            if (pieceSize > 0)
            {
                r.Connection.ThenInPieces(input, pieceSize);
            }
            else
            {
                r.Connection.Then(input);
            }

            if (prepare != null)
            {
                prepare(r);
            }

            var session = new SmtpSession(Settings(tweak), r.Store.CreateSink(), r.Clock, r.Log, r.Lookup);
            session.Run(r.Connection, mode);
            r.Replies = r.Connection.WrittenText;
            return r;
        }

        public static string B64(string text)
        {
            return Convert.ToBase64String(Utf8.GetBytes(text));
        }

        /// <summary>
        /// Base64 of the parts joined with NUL octets (RFC 4616's message). Built at run time: nanoFramework keeps
        /// string literals NUL-terminated, so a literal "\0" would cut the string there.
        /// </summary>
        public static string Plain(params string[] parts)
        {
            var joined = new ByteBuffer();
            for (int i = 0; i < parts.Length; i++)
            {
                if (i > 0)
                {
                    joined.Append(new byte[1]);
                }

                joined.Append(Utf8.GetBytes(parts[i]));
            }

            return Convert.ToBase64String(joined.ToArray());
        }

        public static SaslUsers Users()
        {
            byte[] file = Ascii.GetBytes(UsersFile);
            return SaslUsers.Parse(file, file.Length, "users");
        }

        private static void Auth(ServerSettings s)
        {
            s.AuthEnabled = true;
            s.Users = Users();
            s.TlsOffered = true;
        }

        private static void AuthOutsideMynetworks(ServerSettings s)
        {
            Auth(s);
            s.Mynetworks = new AddressRange[0];
        }

        private static void OneMessage()
        {
            SessionRun r = Run(Mail + "Subject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n");
            Check.Equal("220,250,250,250,354,250,221", r.Codes);
            Check.Contains("250 2.0.0 Ok: queued as 1A2B3C\r\n", r.Replies);
            StoredMessage m = r.Store.Single();
            Check.Equal("a@client.example", m.From);
            Check.Equal(1, m.To.Length);
            Check.Equal("b@example.org", m.To[0]);
            Check.Equal(
                "Received: from client.example ([127.0.0.1])\r\n\tby mx.example.com (Emailcore.Nano) with ESMTP id 1A2B3C\r\n\tfor <b@example.org>; Sat, 28 Nov 2026 12:00:00 +0000\r\n"
                + "Subject: hi\r\n\r\nbody\r\n",
                m.Text);
            Check.Contains("1A2B3C: from=<a@client.example>, size=", r.Log.All);
            Check.Contains("connect from unknown[127.0.0.1]", r.Log.All);
        }

        private static void Fragmentation(int pieceSize)
        {
            SessionRun r = Run(Mail + "..dot\r\n.\r\nQUIT\r\n", null, pieceSize);
            Check.EndsWith("\r\n.dot\r\n", r.Store.Single().Text);
        }

        private static void EhloAndCase()
        {
            SessionRun r = Run("ehlo client.example\r\nmail from:<a@b.example> size=100 body=8bitmime\r\nrset\r\nnoop\r\nquit\r\n");
            Check.Contains("250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n", r.Replies);
            Check.Contains("250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250 SMTPUTF8\r\n", r.Replies);
            Check.DoesNotContain("STARTTLS", r.Replies);
            Check.DoesNotContain("AUTH", r.Replies);
            Check.Equal("220,250,250,250,250,221", r.Codes);
        }

        private static void Pipelining()
        {
            SessionRun r = Run("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<x@example.org>\r\nRCPT TO:<bad>\r\nRCPT TO:<y@example.org>\r\nDATA\r\n", null, 0,
                delegate(SessionRun x) { x.Connection.Then("hi\r\n.\r\nQUIT\r\n"); });
            Check.Equal("220,250,250,250,501,250,354,250,221", r.Codes);

            // Greeting, then the whole batch up to 354, then the answers to the message and QUIT.
            Check.Equal(3, r.Connection.Writes, "writes");
            StoredMessage m = r.Store.Single();
            Check.Equal(2, m.To.Length);
            Check.Equal("x@example.org", m.To[0]);
            Check.Equal("y@example.org", m.To[1]);
        }

        private static void BadInputs(TestList t)
        {
            string[] cases =
            {
                "MAIL FROM:<a@b.example>\r\n", "503 5.5.1 Error: send HELO/EHLO first",
                "EHLO c.example\r\nRCPT TO:<a@b.example>\r\n", "503 5.5.1 Error: need MAIL command",
                "EHLO c.example\r\nDATA\r\n", "503 5.5.1 Error: need MAIL command",
                "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nDATA\r\n", "554 5.5.1 Error: no valid recipients",
                "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nMAIL FROM:<a@b.example>\r\n", "503 5.5.1 Error: nested MAIL command",
                "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA x\r\n", "501 5.5.4 Syntax: DATA",
                "EHLO c.example\r\nMAIL FROM:<a@b.example> FOO=1\r\n", "555 5.5.4 Unsupported option",
                "EHLO c.example\r\nMAIL FROM:<a@b.example> SIZE=99999999999\r\n", "552 5.3.4 Message size exceeds fixed limit",
                "EHLO c.example\r\nMAIL FROM:<a@b.example> SIZE=x\r\n", "501 5.5.4 Bad SIZE syntax",
                "EHLO c.example\r\nMAIL FROM:<a@b.example> BODY=BINARYMIME\r\n", "501 5.5.4 Unsupported BODY type",
                "EHLO c.example\r\nMAIL FROM:<a@b.example> SIZE=1 SIZE=2\r\n", "501 5.5.4 Error: parameter given twice",
                "EHLO c.example\r\nMAIL FROM:<a@b.example> RET=ALL\r\n", "501 5.5.4 Bad RET syntax",
                "EHLO c.example\r\nMAIL FROM:<a@b.example> ENVID=a=b\r\n", "501 5.5.4 Error: bad parameter value",
                "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> NOTIFY=NEVER,DELAY\r\n", "501 5.5.4 Bad NOTIFY syntax",
                "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> ORCPT=nosemicolon\r\n", "501 5.5.4 Bad ORCPT syntax",
                "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> FOO\r\n", "555 5.5.4 Unsupported option",
                "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> NOTIFY=NEVER NOTIFY=NEVER\r\n", "501 5.5.4 Error: parameter given twice",
                "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> NOTIFY=\r\n", "501 5.5.4 Error: bad parameter value",
                "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> NOTIFY=SOMETIMES\r\n", "501 5.5.4 Bad NOTIFY syntax",
                "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>  ORCPT=rfc822;+ZZ\r\n", "501 5.5.4 Bad ORCPT syntax",
                "EHLO c.example\r\nMAIL FROM:<a@b.example> ENVID=" + new string('0', 100) + "x\r\n", "501 5.5.4 Bad ENVID syntax",
                "EHLO c.example\r\nMAIL FROM:<a@b.example>x\r\n", "501 5.5.4 Syntax: MAIL FROM:<address>",
                "EHLO c.example\r\nMAIL FROM:<a" + new string('1', 64) + "@b.example>\r\n", "501 5.1.7 Bad sender address syntax",
                "EHLO c.example\r\nMAIL FROM:<a@@b.example>\r\n", "501 5.1.7 Bad sender address syntax",
                "EHLO c.example\r\nMAIL FROM:<a.@b.example>\r\n", "501 5.1.7 Bad sender address syntax",
                "EHLO c.example\r\nMAIL FROM:<a@b.example\r\n", "501 5.5.4 Syntax: MAIL FROM:<address>",
                "EHLO c.example\r\nMAIL TO:<a@b.example>\r\n", "501 5.5.4 Syntax: MAIL FROM:<address>",
                "EHLO c.example\r\nMAIL FROM:<postmaster>\r\n", "501 5.1.7 Bad sender address syntax",
                "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<>\r\n", "501 5.1.3 Bad recipient address syntax",
                "EHLO c.example\r\nMAIL FROM:<a@[300.1.1.1]>\r\n", "501 5.1.7 Bad sender address syntax",
                "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<\u00fc@d.example>\r\n", "553 5.6.7 Must declare SMTPUTF8 to send UTF8 addresses",
                "EHLO c.example\r\nMAIL FROM:<a@b.example> SMTPUTF8=yes\r\n", "501 5.5.4 Bad SMTPUTF8 syntax",
                "HELO c.example\r\nMAIL FROM:<a@b.example> SIZE=10\r\n", "555 5.5.4 Unsupported option",
                "EHLO\r\n", "501 5.5.4 Syntax: EHLO hostname",
                "EHLO printer\r\n", "501 5.5.4 Error: EHLO/HELO needs a fully qualified domain name or an address literal",
                "HELO bad_name.example\r\n", "501 5.5.4 Error: EHLO/HELO needs a fully qualified domain name or an address literal",
                "EHLO [1.2.3]\r\n", "501 5.5.4 Error: EHLO/HELO needs a fully qualified domain name or an address literal",
                "RSET now\r\n", "501 5.5.4 Syntax: RSET",
                "VRFY\r\n", "501 5.5.4 Syntax: VRFY address",
                "EXPN list\r\n", "502 5.5.1 Error: command not implemented",
                "STARTTLS\r\n", "502 5.5.1 Error: command not implemented",
                "AUTH PLAIN AGEAYg==\r\n", "503 5.5.1 Error: authentication not enabled",
                "FOO\r\n", "500 5.5.2 Error: command not recognized",
            };
            for (int i = 0; i < cases.Length; i += 2)
            {
                string input = cases[i];
                string reply = cases[i + 1];
                t.Add("Session.bad input " + (i / 2 + 1).ToString() + ": " + reply, delegate { BadInput(input, reply); });
            }
        }

        private static void BadInput(string input, string reply)
        {
            SessionRun r = Run(input + "NOOP\r\n");
            Check.Contains("\r\n" + reply + "\r\n", r.Replies);
            Check.EndsWith("250 2.0.0 Ok\r\n", r.Replies);
            Check.Equal(0, r.Store.Committed.Length, "committed");
        }

        private static void Path(string mail, string stored)
        {
            SessionRun r = Run("EHLO c.example\r\n" + mail + "\r\nRCPT TO:<@x.example:Postmaster>\r\nDATA\r\n.\r\nQUIT\r\n");
            StoredMessage m = r.Store.Single();
            Check.Equal(stored, m.From);
            Check.Equal(1, m.To.Length);
            Check.Equal("Postmaster", m.To[0]);
        }

        private static void Strict(string mail)
        {
            SessionRun r = Run("EHLO c.example\r\n" + mail + "\r\nQUIT\r\n", delegate(ServerSettings s) { s.StrictEnvelopes = true; });
            Check.Contains("501 5.5.4 Syntax: MAIL FROM:<address>", r.Replies);
        }

        private static void Helo(string hello, bool strict, bool bare, bool accepted)
        {
            SessionRun r = Run(hello + "\r\nQUIT\r\n", delegate(ServerSettings s)
            {
                s.StrictEnvelopes = strict;
                s.HeloBareNames = bare;
            });
            Check.Equal(accepted ? "220,250,221" : "220,501,221", r.Codes);
        }

        private static void DsnParameters()
        {
            var connection = new ScriptedConnection().Then(
                "EHLO c.example\r\nMAIL FROM:<a@b.example> SIZE=500 BODY=8BITMIME RET=HDRS ENVID=QQ+2B1 AUTH=<>\r\nRCPT TO:<c@d.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;c+40d.example\r\nDATA\r\n.\r\n");
            var sink = new CapturingSink();
            new SmtpSession(Settings(null), sink, new ManualClock(), new ListLog()).Run(connection, ListenMode.Smtp);
            Check.True(sink.Opened, "the message was opened");
            Check.Contains("250 2.1.5 Ok", connection.WrittenText);
            Check.True(sink.Body == BodyType.EightBitMime, "BODY=8BITMIME");
            Check.True(sink.Ret == DsnReturn.Headers, "RET=HDRS");
            Check.Equal(500, sink.Size, "SIZE");
            Check.Equal("QQ+2B1", sink.EnvId);
            Check.Equal(Notify.Success | Notify.Failure, sink.Notify, "NOTIFY");
            Check.Equal("rfc822;c+40d.example", sink.Orcpt);
            Check.Equal(0, sink.AuthLength, "AUTH=<> length");
        }

        /// <summary>Copies what the envelope holds when the message is opened.</summary>
        private sealed class CapturingSink : IMessageSink
        {
            public bool Opened;
            public BodyType Body;
            public DsnReturn Ret;
            public long Size;
            public string EnvId = "";
            public int Notify;
            public string Orcpt = "";
            public int AuthLength = -1;

            public bool HasRoom(long declaredSize)
            {
                return true;
            }

            public long Open(Envelope e)
            {
                Opened = true;
                Body = e.Body;
                Ret = e.Ret;
                Size = e.DeclaredSize;
                EnvId = Ascii.GetString(e.Arena, e.EnvIdOffset, e.EnvIdLength);
                Notify = e.RecipientNotify(0);
                Orcpt = Ascii.GetString(e.Arena, e.OrcptOffset(0), e.OrcptLength(0));
                AuthLength = e.AuthLength;
                return 1;
            }

            public bool Write(byte[] buffer, int offset, int count)
            {
                return true;
            }

            public bool Commit()
            {
                return true;
            }

            public void Abort()
            {
            }
        }

        private static void RecipientLimit()
        {
            SessionRun r = Run("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<1@d.example>\r\nRCPT TO:<2@d.example>\r\nRCPT TO:<3@d.example>\r\nDATA\r\n.\r\nQUIT\r\n",
                delegate(ServerSettings s) { s.RecipientLimit = 2; });
            Check.Contains("452 4.5.3 Error: too many recipients", r.Replies);
            Check.Equal(2, r.Store.Single().To.Length);
        }

        private static void ServerTimeout()
        {
            SessionRun r = Run("EHLO c.example\r\n", null, 0, delegate(SessionRun x) { x.Connection.ThenTimeout(); });
            Check.EndsWith("421 4.4.2 mx.example.com Error: timeout exceeded\r\n", r.Replies);
            Check.Contains("timeout after EHLO from unknown[127.0.0.1]", r.Log.All);
        }

        private static void TimeoutInData()
        {
            SessionRun r = Run(Mail + "partial\r\n", null, 0, delegate(SessionRun x) { x.Connection.ThenTimeout(); });
            Check.EndsWith("421 4.4.2 mx.example.com Error: timeout exceeded\r\n", r.Replies);
            Check.Equal(0, r.Store.Committed.Length, "committed");
            Check.Equal(1, r.Store.Aborted, "aborted");
        }

        private static void LostInData()
        {
            SessionRun r = Run(Mail + "partial\r\n");
            Check.Equal(0, r.Store.Committed.Length, "committed");
            Check.Equal(1, r.Store.Aborted, "aborted");
        }

        private static void Overlong()
        {
            SessionRun r = Run("NOOP " + new string('x', 600) + "\r\nNOOP " + new string('y', 3000) + "\r\nNOOP\r\n");
            Check.Equal("220,500,500,250", r.Codes);
            Check.Contains("500 5.5.2 Error: line too long", r.Replies);
        }

        private static void Smuggling(string smuggled)
        {
            // A smuggled "end of data" must not end it: the message goes on to the real <CRLF>.<CRLF>,
            // and the MAIL after it is part of the rejected message, never a second transaction.
            SessionRun r = Run(Mail + smuggled + "MAIL FROM:<evil@b.example>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n\r\n.\r\nQUIT\r\n");
            Check.Contains("550 5.5.2 Error: bare <CR> or <LF> received (smtpd_forbid_bare_newline)\r\n", r.Replies);
            Check.Equal("220,250,250,250,354,550,221", r.Codes);
            Check.Equal(0, r.Store.Committed.Length, "committed");
            Check.Equal(1, r.Store.Aborted, "aborted");
        }

        private static void BareAllowed()
        {
            SessionRun r = Run(Mail + "a\nb\rc\r\n.\nstill\r\n.\r\nQUIT\r\n", delegate(ServerSettings s) { s.ForbidBareNewline = false; });
            Check.EndsWith("\r\na\nb\rc\r\n\nstill\r\n", r.Store.Single().Text);
        }

        private static void LongLines()
        {
            string longLine = new string('a', 1500) + "." + new string('b', 700);
            SessionRun r = Run(Mail + longLine + "\r\n..x\r\n.\r\nQUIT\r\n");
            Check.EndsWith("\r\n" + longLine + "\r\n.x\r\n", r.Store.Single().Text);
        }

        private static void Oversized()
        {
            SessionRun r = Run(Mail + new string('x', 200) + "\r\n.\r\nNOOP\r\n", delegate(ServerSettings s) { s.MessageSizeLimit = 100; });
            Check.Contains("552 5.3.4 Message size exceeds fixed limit\r\n250 2.0.0 Ok\r\n", r.Replies);
            Check.Equal(0, r.Store.Committed.Length, "committed");
            Check.Equal(1, r.Store.Aborted, "aborted");
        }

        private static void FailedCommit()
        {
            SessionRun r = Run(Mail + "x\r\n.\r\nQUIT\r\n", null, 0, delegate(SessionRun x) { x.Store.CommitSucceeds = false; });
            Check.Contains("452 4.3.1 Insufficient system storage\r\n", r.Replies);
            Check.DoesNotContain("queued as", r.Replies);
        }

        private static void FullWhileStreaming()
        {
            SessionRun r = Run(Mail + new string('x', 300) + "\r\n.\r\nQUIT\r\n", null, 0, delegate(SessionRun x) { x.Store.WriteLimit = 250; });
            Check.Contains("452 4.3.1 Insufficient system storage\r\n221", r.Replies);
            Check.Equal(0, r.Store.Committed.Length, "committed");
        }

        private static void NoRoom()
        {
            SessionRun r = Run("EHLO c.example\r\nMAIL FROM:<a@b.example> SIZE=10\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nQUIT\r\n", null, 0,
                delegate(SessionRun x) { x.Store.Room = false; });
            Check.Equal("220,250,452,250,250,452,221", r.Codes);
        }

        private static void UnknownClock()
        {
            SessionRun r = Run("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nQUIT\r\n", null, 0, delegate(SessionRun x) { x.Clock.Known = false; });
            Check.Contains("451 4.3.2 Error: system clock not yet set, try again later", r.Replies);
        }

        private static void SeveralTransactions()
        {
            SessionRun r = Run(Mail + "one\r\n.\r\nMAIL FROM:<c@d.example>\r\nRSET\r\nMAIL FROM:<e@f.example>\r\nRCPT TO:<g@h.example>\r\nRCPT TO:<i@h.example>\r\nDATA\r\ntwo\r\n.\r\nQUIT\r\n");
            StoredMessage[] committed = r.Store.Committed;
            Check.Equal(2, committed.Length, "committed");
            Check.Equal("e@f.example", committed[1].From);
            Check.DoesNotContain("\tfor <", committed[1].Text);
        }

        private static void HeloVrfyHelp()
        {
            SessionRun r = Run("HELO c.example\r\nVRFY x\r\nHELP\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n.\r\nQUIT\r\n");
            Check.Contains("250 mx.example.com\r\n252 2.0.0", r.Replies);
            Check.Contains("214 2.0.0", r.Replies);
            Check.Contains(" with SMTP id ", r.Store.Single().Text);
            Check.EndsWith("221 2.0.0 Bye\r\n", r.Replies);
        }

        private static void HelpOffers()
        {
            const string Verbs = "214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP";
            SessionRun bare = Run("HELP\r\nQUIT\r\n");
            Check.Contains("\r\n" + Verbs + "\r\n", bare.Replies);
            SessionRun tls = Run("HELP\r\nSTARTTLS\r\n", AuthOutsideMynetworks, 0, delegate(SessionRun x) { x.Connection.Then("HELP\r\nQUIT\r\n"); });
            Check.Contains("\r\n" + Verbs + " STARTTLS\r\n220 2.0.0 Ready to start TLS\r\n" + Verbs + " AUTH\r\n", tls.Replies);
        }

        private static void EncryptLevel()
        {
            SessionRun r = Run("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nQUIT\r\n", delegate(ServerSettings s)
            {
                s.TlsOffered = true;
                s.TlsRequired = true;
            });
            Check.Contains("250-STARTTLS", r.Replies);
            Check.Contains("530 5.7.0 Must issue a STARTTLS command first", r.Replies);
        }

        private static void StartTlsReset()
        {
            SessionRun r = Run("EHLO c.example\r\nSTARTTLS\r\nMAIL FROM:<evil@b.example>\r\n", delegate(ServerSettings s) { s.TlsOffered = true; }, 0,
                delegate(SessionRun x) { x.Connection.Then("MAIL FROM:<a@b.example>\r\nEHLO c.example\r\nSTARTTLS\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n.\r\nQUIT\r\n"); });
            Check.Equal("220,250,220,503,250,554,250,250,354,250,221", r.Codes);
            Check.Contains("503 5.5.1 Error: send HELO/EHLO first", r.Replies);
            Check.Contains("554 5.5.1 Error: TLS already active", r.Replies);
            StoredMessage m = r.Store.Single();
            Check.Contains(" with ESMTPS id ", m.Text);
            Check.Contains("\t(using TLSv1.3)\r\n", m.Text);
            Check.Equal("a@b.example", m.From);
            Check.Contains("discarding plaintext pipelined after STARTTLS", r.Log.All);
        }

        private static void ImplicitTls()
        {
            SessionRun r = Run("EHLO c.example\r\nQUIT\r\n", delegate(ServerSettings s) { s.TlsOffered = true; }, 0, null, ListenMode.Smtps);
            Check.Equal("TLSv1.3", r.Connection.TlsProtocol);
            Check.DoesNotContain("STARTTLS", r.Replies);
        }

        private const string LiteralHelo = "Helo command rejected: An IP address or localhost is not a host name";
        private const string LiteralSender = "Sender address rejected: An address literal or localhost is not a mail domain";

        /// <summary>RFC 5321bis AS §2.4 policies: exactly these EHLO names and sender domains are refused, at RCPT, and only from outside mynetworks.</summary>
        private static void ClientPolicies(TestList t)
        {
            string[] helos = { "[192.0.2.1]", "[IPv6:2001:db8::1]", "192.0.2.1", "localhost", "LocalHost", "mail.localhost" };
            for (int i = 0; i < helos.Length; i++)
            {
                string helo = helos[i];
                t.Add("Session.policy refuses EHLO " + helo, delegate { Policy(helo, "a@client.example", false, "550 5.7.1 <" + helo + ">: " + LiteralHelo); });
                t.Add("Session.policy takes EHLO " + helo + " from mynetworks", delegate { Policy(helo, "a@client.example", true, "250 2.1.5 Ok"); });
            }

            string[] senders = { "a@[192.0.2.1]", "a@[IPv6:2001:db8::1]", "a@localhost", "a@Mail.LOCALHOST" };
            for (int i = 0; i < senders.Length; i++)
            {
                string sender = senders[i];
                t.Add("Session.policy refuses sender " + sender, delegate { Policy("client.example", sender, false, "550 5.7.1 <" + sender + ">: " + LiteralSender); });
                t.Add("Session.policy takes sender " + sender + " from mynetworks", delegate { Policy("client.example", sender, true, "250 2.1.5 Ok"); });
            }

            string[] names = { "client.example", "localhost.example.com", "notlocalhost.example" };
            for (int i = 0; i < names.Length; i++)
            {
                string name = names[i];
                t.Add("Session.policy takes EHLO " + name + " and sender a@" + name, delegate { Policy(name, "a@" + name, false, "250 2.1.5 Ok"); });
            }

            t.Add("Session.policy takes the null sender", delegate { Policy("client.example", "", false, "250 2.1.5 Ok"); });
            t.Add("Session.policies are off by default", PoliciesOffByDefault);
            t.Add("Session.policy exempts authenticated clients", PolicyAfterAuth);
            t.Add("Session.policy refusal is logged in Postfix's shape", PolicyLogLine);
        }

        private static SessionRun Policy(string helo, string sender, bool trusted, string rcptReply)
        {
            SessionRun r = Run("EHLO " + helo + "\r\nMAIL FROM:<" + sender + ">\r\nRCPT TO:<b@localhost>\r\nQUIT\r\n", delegate(ServerSettings s)
            {
                s.HeloBareNames = true;
                s.RejectLiteralHelo = true;
                s.RejectLiteralSender = true;
                if (!trusted)
                {
                    s.Mynetworks = new AddressRange[0];
                }
            });

            // EHLO and MAIL are answered as ever: the refusal waits for RCPT, as with Postfix's smtpd_delay_reject.
            Check.Equal("220,250,250," + rcptReply.Substring(0, 3) + ",221", r.Codes);
            Check.Contains("\r\n" + rcptReply + "\r\n", r.Replies);
            return r;
        }

        private static void PoliciesOffByDefault()
        {
            SessionRun r = Run("EHLO [192.0.2.1]\r\nMAIL FROM:<a@[192.0.2.1]>\r\nRCPT TO:<b@localhost>\r\nQUIT\r\n", delegate(ServerSettings s) { s.Mynetworks = new AddressRange[0]; });
            Check.Equal("220,250,250,250,221", r.Codes);
        }

        private static void PolicyAfterAuth()
        {
            SessionRun r = Run("EHLO [192.0.2.1]\r\nAUTH PLAIN " + Plain("", "alice", "s3cret pass") + "\r\nMAIL FROM:<a@localhost>\r\nRCPT TO:<x@far.example>\r\nQUIT\r\n", delegate(ServerSettings s)
            {
                AuthOutsideMynetworks(s);
                s.TlsAuthOnly = false;
                s.RejectLiteralHelo = true;
                s.RejectLiteralSender = true;
            });
            Check.Equal("220,250,235,250,250,221", r.Codes);
        }

        private static void PolicyLogLine()
        {
            SessionRun r = Policy("[192.0.2.1]", "a@client.example", false, "550 5.7.1 <[192.0.2.1]>: " + LiteralHelo);
            Check.Contains("NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 550 5.7.1 <[192.0.2.1]>: " + LiteralHelo
                + "; from=<a@client.example> to=<b@localhost> proto=ESMTP helo=<[192.0.2.1]>", r.Log.All);
            r = Policy("client.example", "a@localhost", false, "550 5.7.1 <a@localhost>: " + LiteralSender);
            Check.Contains("NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 550 5.7.1 <a@localhost>: " + LiteralSender
                + "; from=<a@localhost> to=<b@localhost> proto=ESMTP helo=<client.example>", r.Log.All);
            r = Run("EHLO client.example\r\nMAIL FROM:<a@client.example>\r\nRCPT TO:<x@far.example>\r\nQUIT\r\n", delegate(ServerSettings s) { s.Mynetworks = new AddressRange[0]; });
            Check.Contains("NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 554 5.7.1 <x@far.example>: Relay access denied; from=<a@client.example> to=<x@far.example> proto=ESMTP helo=<client.example>", r.Log.All);
        }

        private static void Submission(ListenMode mode, bool trusted, string reply)
        {
            SessionRun r = Run("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nQUIT\r\n", delegate(ServerSettings s)
            {
                Auth(s);
                if (!trusted)
                {
                    s.Mynetworks = new AddressRange[0];
                }
            }, 0, null, mode);
            Check.Contains("\r\n" + reply + "\r\n", r.Replies);
        }

        private static void AuthOnlyOverTls()
        {
            SessionRun r = Run("EHLO c.example\r\nAUTH PLAIN " + Plain("", "alice", "s3cret pass") + "\r\nQUIT\r\n", Auth);
            Check.DoesNotContain("AUTH PLAIN LOGIN", r.Replies);
            Check.Contains("503 5.5.1 Error: authentication not enabled", r.Replies);
        }

        private static void AuthPlain()
        {
            SessionRun plain = Run("EHLO c.example\r\nSTARTTLS\r\n", AuthOutsideMynetworks, 0,
                delegate(SessionRun x) { x.Connection.Then("EHLO c.example\r\nAUTH PLAIN " + Plain("", "alice", "s3cret pass") + "\r\nMAIL FROM:<a@b.example> AUTH=a+40b.example\r\nRCPT TO:<x@far.example>\r\nDATA\r\n.\r\nQUIT\r\n"); });
            Check.Contains("250-AUTH PLAIN LOGIN", plain.Replies);
            Check.Contains("235 2.7.0 Authentication successful", plain.Replies);
            StoredMessage m = plain.Store.Single();
            Check.Contains(" with ESMTPSA id ", m.Text);
            Check.Equal("a+40b.example", m.Auth);
            Check.Contains("client=unknown[127.0.0.1], sasl_method=PLAIN, sasl_username=alice", plain.Log.All);
            Check.DoesNotContain("s3cret", plain.Log.All);
        }

        private static void AuthLogin()
        {
            SessionRun login = Run("EHLO c.example\r\nSTARTTLS\r\n", AuthOutsideMynetworks, 0,
                delegate(SessionRun x) { x.Connection.Then("EHLO c.example\r\nAUTH LOGIN\r\n").Then(B64("alice") + "\r\n").Then(B64("s3cret pass") + "\r\nQUIT\r\n"); });
            Check.Contains("334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0", login.Replies);
        }

        private static void AuthPlainEmpty()
        {
            SessionRun empty = Run("EHLO c.example\r\nSTARTTLS\r\n", AuthOutsideMynetworks, 0,
                delegate(SessionRun x) { x.Connection.Then("EHLO c.example\r\nAUTH PLAIN\r\n").Then(Plain("alice", "alice", "s3cret pass") + "\r\nQUIT\r\n"); });
            Check.Contains("334 \r\n235 2.7.0", empty.Replies);
        }

        private static void AuthFailure(string command, string reply)
        {
            SessionRun r = Run("EHLO c.example\r\nSTARTTLS\r\n", Auth, 0, delegate(SessionRun x) { x.Connection.Then("EHLO c.example\r\n" + command + "NOOP\r\n"); });
            Check.Contains("\r\n" + reply + "\r\n250 2.0.0 Ok\r\n", r.Replies);
            if (reply.StartsWith("535"))
            {
                Check.Equal(1000, r.Clock.Slept, "slept");
                Check.Contains("authentication failed", r.Log.All);
            }

            Check.DoesNotContain("guess", r.Log.All);
        }

        private static void AuthTimeout()
        {
            SessionRun r = Run("EHLO c.example\r\nSTARTTLS\r\n", Auth, 0, delegate(SessionRun x) { x.Connection.Then("EHLO c.example\r\nAUTH LOGIN\r\n").ThenTimeout(); });
            Check.EndsWith("334 VXNlcm5hbWU6\r\n421 4.4.2 mx.example.com Error: timeout exceeded\r\n", r.Replies);
        }

        private static void AuthLongLine(int envelopeBuffer)
        {
            // A PLAIN response of a 10700-octet line is decoded in pieces, whether or not the decoded bytes fit the buffer.
            string response = Plain("", "alice", new string('p', 8000));
            SessionRun r = Run("EHLO c.example\r\nSTARTTLS\r\n", delegate(ServerSettings s)
            {
                Auth(s);
                s.EnvelopeBufferSize = envelopeBuffer;
            }, 0, delegate(SessionRun x) { x.Connection.Then("EHLO c.example\r\nAUTH PLAIN " + response + "\r\nNOOP\r\n"); });
            Check.Contains("535 5.7.8 Error: authentication failed\r\n250 2.0.0 Ok\r\n", r.Replies);
        }

        private static void BoardBuffers()
        {
            var config = new MainConfig(true);
            var session = new SmtpSession(ServerSettings.From(config), new MemoryMessageStore().CreateSink(), new ManualClock(), new ListLog());
            Check.True(session.FixedBufferBytes <= 4096, session.FixedBufferBytes.ToString() + " bytes");
        }

        private static void DateIsRfc5322()
        {
            byte[] buffer = new byte[64];
            int n = ReceivedHeader.FormatDate(Utc.At(2027, 1, 3, 4, 5, 6), buffer, 0);
            Check.Equal("Sun, 3 Jan 2027 04:05:06 +0000", Ascii.GetString(buffer, 0, n));
        }

        private static void ManySessions()
        {
            // One session object serves connection after connection, as a session slot does on the board.
            var store = new MemoryMessageStore();
            var session = new SmtpSession(Settings(null), store.CreateSink(), new ManualClock(), new ListLog());
            for (int i = 0; i < 50; i++)
            {
                var connection = new ScriptedConnection().Then(Mail + "n " + i.ToString() + "\r\n.\r\nQUIT\r\n");
                session.Run(connection, ListenMode.Smtp);
                Check.Equal("220,250,250,250,354,250,221", ReplyCodes(connection.WrittenText));
            }

            Check.Equal(50, store.Committed.Length, "committed");
            Check.EndsWith("\r\nn 49\r\n", store.Committed[49].Text);
        }
    }
}

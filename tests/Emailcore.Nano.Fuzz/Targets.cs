using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Emailcore.Nano.Config;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Smtp.Wire;
using Emailcore.Nano.Spool;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Fuzz
{
    /// <summary>
    /// The fuzz targets. Each takes any bytes; the typed failures its code promises (ConfigException, DnsException,
    /// StoreException) are answers, anything else escaping is a finding, and so is a broken invariant (checked with
    /// <see cref="Check"/>). They run under libFuzzer (tools/fuzz.sh), over the seeds and past findings, and under FsCheck.
    /// </summary>
    public static class Targets
    {
        public static readonly string[] Names = { "command", "reply", "session", "dns", "maincf", "maps", "spool" };

        public static Action<byte[]> Find(string name) => name switch
        {
            "command" => Command,
            "reply" => ReplyParser,
            "session" => Session,
            "dns" => Dns,
            "maincf" => MainCf,
            "maps" => Maps,
            "spool" => Spool,
            _ => throw new ArgumentException("no fuzz target \"" + name + "\" (targets: " + string.Join(", ", Names) + ")"),
        };

        /// <summary>A broken invariant: a finding, like an unexpected exception.</summary>
        public sealed class InvariantException(string message) : Exception(message);

        private static void Check(bool condition, string what)
        {
            if (!condition)
            {
                throw new InvariantException(what);
            }
        }

        /// <summary>The command parser over a line that ends exactly at the buffer's end (no CRLF, no slack).</summary>
        public static void Command(byte[] line)
        {
            var parser = new CommandParser();
            SmtpVerb verb = CommandParser.ParseVerb(line, 0, line.Length, out int argument);
            Check(argument >= 0 && argument <= line.Length, "argument offset outside the line");
            foreach (bool strict in new[] { false, true })
            {
                foreach (bool mail in new[] { true, false })
                {
                    bool ok = mail ? parser.ParseMail(line, argument, line.Length, strict) : parser.ParseRcpt(line, argument, line.Length, strict);
                    if (!ok)
                    {
                        Check(parser.Error != null && parser.Error.StartsWith("501 "), "a refused path without a 501 reply: " + parser.Error);
                        continue;
                    }

                    Check(parser.MailboxOffset >= argument && parser.MailboxOffset + parser.MailboxLength <= line.Length, "mailbox outside the line");
                    Check(parser.DomainOffset < 0 || parser.DomainOffset + parser.DomainLength <= line.Length, "domain outside the line");
                    Check(parser.MailboxLength + 2 <= CommandParser.MaxPath, "a path longer than RFC 5321 allows was accepted");
                    int p = parser.ParamsOffset;
                    while (parser.NextParam(line, ref p, line.Length))
                    {
                        Check(parser.KeyOffset + parser.KeyLength <= line.Length && parser.ValueOffset + Math.Max(parser.ValueLength, 0) <= line.Length, "parameter outside the line");
                        if (parser.ValueLength > 0)
                        {
                            CommandParser.IsXtext(line, parser.ValueOffset, parser.ValueLength);
                            CommandParser.ParseNotify(line, parser.ValueOffset, parser.ValueLength);
                            CommandParser.IsOrcpt(line, parser.ValueOffset, parser.ValueLength);
                        }
                    }
                }

                parser.IsValidHelo(line, argument, line.Length - argument, strict, !strict);
            }

            CommandParser.IsXtext(line, 0, line.Length);
            CommandParser.ParseNotify(line, 0, line.Length);
            CommandParser.IsOrcpt(line, 0, line.Length);
            GC.KeepAlive(verb);
        }

        /// <summary>The client's reply parser, reply after reply until the input fails one.</summary>
        public static void ReplyParser(byte[] input)
        {
            var clock = new SteppingClock();
            var reader = new LineReader(256);
            reader.Attach(new FuzzConnection(input));
            var reply = new Reply(reader, new Deadline(clock));
            for (int replies = 0; replies <= input.Length; replies++)
            {
                if (!reply.Read(30_000, (buffer, offset, count) => Check(offset >= 0 && offset + count <= buffer.Length, "reply line outside its buffer")))
                {
                    Check(reply.Error != null, "a failed reply without a reason");
                    return;
                }

                Check(reply.Code >= 200 && reply.Code <= 599, "reply code " + reply.Code);
                Check(reply.TextLength <= Reply.MaxText, "reply text longer than kept");
                string status = reply.Status();
                Check(status.Length >= 5 && status[0] == (char)('0' + reply.Code / 100), "status " + status + " for code " + reply.Code);
                reply.Summary();
            }

            throw new InvariantException("more replies than input bytes");
        }

        private static readonly Lazy<SaslUsers> Users = new(() =>
        {
            // alice / "secret", one PBKDF2 iteration: cheap enough for millions of runs.
            byte[] salt = Encoding.ASCII.GetBytes("fuzz-salt-16byte");
            byte[] hash = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes("secret"), salt, 1, System.Security.Cryptography.HashAlgorithmName.SHA256, 32);
            byte[] file = Encoding.ASCII.GetBytes("alice:$pbkdf2-sha256$1$" + Convert.ToBase64String(salt) + "$" + Convert.ToBase64String(hash) + "\n");
            return SaslUsers.Parse(file, file.Length, "users");
        });

        /// <summary>A whole server session: the input is what the client sends. Every reply must be well formed and the session must end.</summary>
        public static void Session(byte[] input)
        {
            var config = new MainConfig(board: input.Length > 0 && (input[0] & 0x80) != 0);
            config.Set("myhostname", "mx.example.com", 1);
            config.Set("smtpd_sasl_auth_enable", "yes", 2);
            config.Set("smtpd_tls_auth_only", "no", 3);
            config.Set("message_size_limit", "2048", 4);
            ServerSettings settings = ServerSettings.From(config);
            settings.Users = Users.Value;
            settings.TlsOffered = true;
            settings.ErrorSleepMilliseconds = 0;
            settings.HardErrorLimit = 1000;
            var store = new MemoryStore();
            var connection = new FuzzConnection(input);
            var session = new SmtpSession(settings, store.CreateSink(), new SteppingClock(), new NullLog());
            session.Run(connection, input.Length > 1 && input[1] == 0xFF ? ListenMode.Submission : ListenMode.Smtp);

            string written = Encoding.Latin1.GetString(connection.Written.ToArray());
            Check(written.StartsWith("220 mx.example.com ESMTP\r\n"), "no greeting first");
            Check(written.EndsWith("\r\n"), "a reply without its CRLF");
            foreach (string line in written.Split("\r\n")[..^1])
            {
                Check(line.Length >= 3 && line[0] >= '2' && line[0] <= '5' && char.IsAsciiDigit(line[1]) && char.IsAsciiDigit(line[2]) && (line.Length == 3 || line[3] == ' ' || line[3] == '-'), "malformed reply line \"" + line + "\"");
            }

            int queued = written.Split("250 2.0.0 Ok: queued as ").Length - 1;
            Check(queued == store.Committed, queued + " acknowledgements for " + store.Committed + " committed messages");
            Check(store.Open == 0, "a message left open after the session");
        }

        /// <summary>The DNS response decoder: the question is taken from the input so that answers can match it.</summary>
        public static void Dns(byte[] packet)
        {
            var name = new DnsName();
            int id = packet.Length >= 2 ? (packet[0] << 8) | packet[1] : 0;
            int type = RecordType.Mx;
            try
            {
                if (packet.Length > DnsMessage.HeaderLength)
                {
                    int p = name.Read(packet, packet.Length, DnsMessage.HeaderLength);
                    if (p + 2 <= packet.Length)
                    {
                        type = DnsMessage.ReadShort(packet, p);
                    }
                }
            }
            catch (DnsException)
            {
                name.Set("example.com");
            }

            var message = new DnsMessage();
            try
            {
                message.Parse(packet, packet.Length, id, name, type);
            }
            catch (DnsException)
            {
                return;
            }

            var record = new DnsRecord();
            var target = new DnsName();
            int offset = message.AnswerOffset;
            for (int i = 0; i < message.AnswerCount + message.AuthorityCount; i++)
            {
                int next = message.ReadRecord(offset, record);
                Check(record.RdataOffset + record.RdataLength <= packet.Length && next <= packet.Length, "record outside the packet");
                try
                {
                    if (record.Type == RecordType.Mx && record.RdataLength >= 3)
                    {
                        message.ReadName(record.RdataOffset + 2, target);
                    }
                    else if (record.Type == RecordType.Cname || record.Type == RecordType.Soa)
                    {
                        message.ReadName(record.RdataOffset, target);
                    }
                }
                catch (DnsException)
                {
                    // A bad name inside rdata is refused like any other.
                }

                Check(target.Length <= DnsName.MaxWireLength, "a name longer than 255 octets");
                offset = next;
            }
        }

        /// <summary>main.cf with $name expansion, on the host's and the board's limits.</summary>
        public static void MainCf(byte[] content)
        {
            foreach (bool board in new[] { false, true })
            {
                MainConfig config;
                try
                {
                    config = MainConfig.Parse(content, content.Length, "main.cf", board);
                }
                catch (ConfigException e)
                {
                    Check(e.Message.StartsWith("main.cf:"), "an error without the file: " + e.Message);
                    continue;
                }

                for (int i = 0; i < Parameters.Count; i++)
                {
                    string value = config.GetString(Parameters.At(i));
                    Check(value.Length <= config.ValueLimit, Parameters.At(i).Name + " longer than the value limit");
                    config.GetList(Parameters.At(i));
                }
            }
        }

        /// <summary>aliases(5), domain maps, client credentials and server users: the files main.cf names.</summary>
        public static void Maps(byte[] content)
        {
            Parse(() =>
            {
                Aliases aliases = Aliases.Parse(content, content.Length, "aliases");
                Check(aliases.Count >= 0, "negative count");
            });
            Parse(() =>
            {
                DomainMap map = DomainMap.Parse(content, content.Length, "transport");
                for (int i = 0; i < map.Count; i++)
                {
                    map.Lookup(map.KeyAt(i).TrimStart('.', '*'));
                }
            });
            Parse(() => SaslPasswords.Parse(content, content.Length, "sasl_passwd"));
            Parse(() => SaslUsers.Parse(content, content.Length, "users"));
            Parse(() => DomainMap.ParseInline(Encoding.UTF8.GetString(content), "main.cf", 1));
        }

        private static void Parse(Action parse)
        {
            try
            {
                parse();
            }
            catch (ConfigException e)
            {
                Check(e.File.Length > 0, "an error without its file");
            }
        }

        /// <summary>
        /// Spool recovery and reading over segment files made of the input (<see cref="SpoolSeeds.Split"/>). Whatever recovery keeps must read back or be held; a message written afterwards
        /// must read back exactly, also after a second recovery.
        /// </summary>
        public static void Spool(byte[] input)
        {
            var store = new MemoryFileStore();
            foreach (KeyValuePair<string, byte[]> file in SpoolSeeds.Split(input))
            {
                store.Put(file.Key, file.Value);
            }

            var spool = new Nano.Spool.Spool(store, new NullLog(), new SteppingClock(), 256, 2048, 1 << 20, 64, 0, false);
            var envelope = new Envelope(4096, 64);
            var buffer = new byte[300];
            foreach (QueuedMessage message in spool.Messages())
            {
                try
                {
                    if (spool.LoadEnvelope(message.Id, envelope))
                    {
                        Check(envelope.RecipientCount == message.RecipientCount, "envelope and index disagree on recipients");
                    }

                    IMessageSource content = spool.OpenContent(message.Id);
                    long total = 0;
                    for (int n; (n = content.Read(buffer, 0, buffer.Length)) > 0;)
                    {
                        total += n;
                    }

                    Check(total == content.Length, "read " + total + " of " + content.Length + " bytes");
                    for (int r = 0; r < message.RecipientCount; r++)
                    {
                        spool.LastReply(message.Id, r);
                    }

                    byte[] reply = Encoding.ASCII.GetBytes("250 fuzz");
                    spool.RecordState(message.Id, 0, RecipientState.Deferred, 1, reply, 0, reply.Length);
                    spool.Sync();
                }
                catch (StoreException)
                {
                    // Unreadable records are a typed answer (the message is held).
                }
            }

            byte[] fresh = Encoding.ASCII.GetBytes("Subject: after recovery\r\n\r\n" + new string('x', 600) + "\r\n");
            byte[] path = Encoding.ASCII.GetBytes("a@example.org");
            envelope.Clear();
            envelope.SetReversePath(path, 0, path.Length);
            envelope.AddRecipient(path, 0, path.Length, 0, null, 0, 0);
            IMessageSink sink = spool.CreateSink();
            long id = sink.Open(envelope);
            Check(id > 0 && sink.Write(fresh, 0, fresh.Length) && sink.Commit(), "a new message was refused by a recovered spool");
            Check(ReadAll(spool, id).SequenceEqual(fresh), "a new message did not read back");
            spool.Close();

            var again = new Nano.Spool.Spool(store, new NullLog(), new SteppingClock(), 256, 2048, 1 << 20, 64, 0, true);
            Check(ReadAll(again, id).SequenceEqual(fresh), "a committed message did not survive recovery");
        }

        private static byte[] ReadAll(Nano.Spool.Spool spool, long id)
        {
            IMessageSource content = spool.OpenContent(id) ?? throw new InvariantException("committed message " + id + " is not queued");
            var all = new MemoryStream();
            var buffer = new byte[333];
            for (int n; (n = content.Read(buffer, 0, buffer.Length)) > 0;)
            {
                all.Write(buffer, 0, n);
            }

            return all.ToArray();
        }

        /// <summary>A clock whose monotonic time moves 1 ms each time it is read: deadlines expire, but only after real work.</summary>
        private sealed class SteppingClock : IClock
        {
            private long _now = 1_000_000;

            public long MonotonicMilliseconds => ++_now;

            public bool TryGetUtcNow(out DateTime utcNow)
            {
                utcNow = new DateTime(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc);
                return true;
            }

            public void Sleep(int milliseconds) => _now += milliseconds;
        }

        private sealed class NullLog : ILog
        {
            public void Write(LogLevel level, string line)
            {
            }
        }

        /// <summary>Counts what the session committed and what it left open.</summary>
        private sealed class MemoryStore : IMessageStore
        {
            public int Committed { get; private set; }

            public int Open { get; private set; }

            public IMessageSink CreateSink() => new Sink(this);

            private sealed class Sink(MemoryStore store) : IMessageSink
            {
                private bool _open;

                public bool HasRoom(long declaredSize) => true;

                public long Open(Envelope envelope)
                {
                    if (_open)
                    {
                        throw new InvariantException("a second message opened on one sink");
                    }

                    _open = true;
                    store.Open++;
                    return 0x1A2B3C + store.Committed;
                }

                public bool Write(byte[] buffer, int offset, int count)
                {
                    Check(_open, "a write without an open message");
                    Check(offset >= 0 && count >= 0 && offset + count <= buffer.Length, "a write outside its buffer");
                    return true;
                }

                public bool Commit()
                {
                    Check(_open, "a commit without an open message");
                    _open = false;
                    store.Open--;
                    store.Committed++;
                    return true;
                }

                public void Abort()
                {
                    if (_open)
                    {
                        _open = false;
                        store.Open--;
                    }
                }
            }
        }
    }
}

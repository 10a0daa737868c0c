using System;
using Emailcore.Nano.Config;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Tests.Support;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Tests
{
    /// <summary>
    /// Operations per second on the interpreter. The figures are the x86 host's running nanoCLR, not a board's;
    /// docs/PERFORMANCE.md relates them to an ESP32 by estimate. Prints `bench: NAME N per second (M in T ms)`.
    /// </summary>
    public static class Program
    {
        public static void Main()
        {
            try
            {
                Commands();
                Commits();
                Pbkdf2();
                DnsAnswers();
            }
            catch (Exception e)
            {
                Console.WriteLine("bench: failed with " + e.GetType().Name + ": " + e.Message);
            }

            Console.WriteLine("bench: done");
        }

        private static void Report(string name, int count, long startTicks)
        {
            long ms = (DateTime.UtcNow.Ticks - startTicks) / TimeSpan.TicksPerMillisecond;
            long rate = ms > 0 ? count * 1000L / ms : 0;
            Console.WriteLine("bench: " + name + " " + rate.ToString() + " per second (" + count.ToString() + " in " + ms.ToString() + " ms)");
        }

        /// <summary>NOOP, RSET and MAIL/RCPT lines through one session: the parser and the reply path.</summary>
        private static void Commands()
        {
            var config = new MainConfig(true);
            config.Set("myhostname", "board.lan.example", 0);
            var session = new SmtpSession(ServerSettings.From(config), new MemoryMessageStore().CreateSink(), new ManualClock(), new DiscardLog());
            var connection = new ScriptedConnection(1 << 16).Then("EHLO client.example\r\n");
            const int Rounds = 300;
            for (int i = 0; i < Rounds; i++)
            {
                connection.Then("MAIL FROM:<a@client.example>\r\nRCPT TO:<b@example.org>\r\nRSET\r\nNOOP\r\n");
            }

            connection.Then("QUIT\r\n");
            long start = DateTime.UtcNow.Ticks;
            session.Run(connection, ListenMode.Smtp);
            Report("server commands", (Rounds * 4) + 2, start);
        }

        /// <summary>Whole messages of 1 KiB into the spool on the flash simulator (envelope, chunks, commit, sync).</summary>
        private static void Commits()
        {
            var store = new FlashStore(512);
            var spool = new Spool.Spool(store, new DiscardLog(), new ManualClock(), 512, 16384, 1 << 22, 1000, 0, false);
            byte[] content = new byte[1024];
            for (int i = 0; i < content.Length; i++)
            {
                content[i] = (byte)('a' + (i % 26));
            }

            var envelope = new Envelope(256, 1);
            byte[] from = Ascii.GetBytes("sensor@lan.example");
            byte[] to = Ascii.GetBytes("ops@example.com");
            envelope.SetReversePath(from, 0, from.Length);
            envelope.AddRecipient(to, 0, to.Length, Notify.Failure, new byte[0], 0, 0);
            const int Messages = 100;
            long start = DateTime.UtcNow.Ticks;
            for (int i = 0; i < Messages; i++)
            {
                IMessageSink sink = spool.CreateSink();
                if (sink.Open(envelope) < 0 || !sink.Write(content, 0, content.Length) || !sink.Commit())
                {
                    throw new InvalidOperationException("commit " + i.ToString() + " failed");
                }
            }

            Report("spool commits of 1 KiB", Messages, start);
        }

        private static void Pbkdf2()
        {
            byte[] password = Ascii.GetBytes("correct horse");
            byte[] salt = Ascii.GetBytes("0123456789abcdef");
            byte[] derived = new byte[32];
            const int Iterations = 2000;
            long start = DateTime.UtcNow.Ticks;
            new PasswordHash().Pbkdf2(password, 0, password.Length, salt, Iterations, derived, 32);
            Report("PBKDF2-HMAC-SHA-256 iterations", Iterations, start);
        }

        /// <summary>An MX answer of three records with compressed names, parsed and its exchanges read.</summary>
        private static void DnsAnswers()
        {
            var question = new DnsName();
            question.Set("example.com");
            DnsPacket packet = DnsPacket.Response(1234, "example.com", RecordType.Mx, 3);
            for (int i = 1; i <= 3; i++)
            {
                packet.Pointer(12).RecordTail(RecordType.Mx, 3600, delegate(DnsPacket r) { r.U16(i * 10).Raw(3, (byte)'m', (byte)'x', (byte)('0' + i)).Pointer(12); });
            }

            byte[] bytes = packet.ToArray();
            var message = new DnsMessage();
            var record = new DnsRecord();
            var exchange = new DnsName();
            const int Answers = 500;
            long start = DateTime.UtcNow.Ticks;
            for (int n = 0; n < Answers; n++)
            {
                message.Parse(bytes, bytes.Length, 1234, question, RecordType.Mx);
                int p = message.AnswerOffset;
                for (int i = 0; i < message.AnswerCount; i++)
                {
                    p = message.ReadRecord(p, record);
                    message.ReadName(record.RdataOffset + 2, exchange);
                }
            }

            Report("DNS MX answers decoded", Answers, start);
        }
    }
}

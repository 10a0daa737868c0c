using System;
using Emailcore.Nano.Config;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Spool;
using Emailcore.Nano.Tests.Portable;
using Emailcore.Nano.Tests.Support;

namespace Emailcore.Nano.Tests
{
    /// <summary>
    /// Out of memory for real, on the 79 KiB heap: a session over the spool on the flash simulator takes one message,
    /// then the heap is filled until allocation fails and released again down to a chosen number of free bytes, and a
    /// second message is sent. Whatever the session answers, nothing escapes it, an acknowledged message is never
    /// lost, and once the heap is back a third message is taken and recovery finds exactly what was acknowledged.
    /// Prints `oom: N passed, N failed`. With a few hundred bytes left the session cannot even reply (the CLR needs
    /// memory to raise the exception, and a string literal is an allocation there): the client sees the connection
    /// close, a temporary failure it retries (RFC 5321 §3.8). The order of the points matters to the interpreter
    /// itself: 0..480 first and then 960 makes the 32-bit nanoCLR (tools README commit) die with SIGSEGV after a
    /// compaction, an interpreter fault this program does not work around beyond running the larger points first.
    /// </summary>
    public static class Exhaustion
    {
        private const string Mail = "EHLO client.example\r\nMAIL FROM:<a@client.example>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n";

        private static readonly int[] Left = { 1920, 3840, 960, 0, 48, 120, 240, 480 };

        /// <summary>A link of the ballast that fills the heap (a chain, because a growing list would need memory itself).</summary>
        private sealed class Ballast
        {
            public byte[] Data;
            public Ballast Next;
        }

        public static void Run()
        {
            int passed = 0;
            int failed = 0;
            for (int i = 0; i < Left.Length; i++)
            {
                string outcome;
                try
                {
                    outcome = Trial(Left[i]);
                }
                catch (Exception e)
                {
                    outcome = "FAIL " + e.GetType().Name + ": " + e.Message;
                }

                if (outcome.StartsWith("FAIL"))
                {
                    failed++;
                }
                else
                {
                    passed++;
                }

                Console.WriteLine("oom: " + Left[i].ToString() + " bytes left: " + outcome);
            }

            Console.WriteLine("oom: " + passed.ToString() + " passed, " + failed.ToString() + " failed");
        }

        private static string Trial(int left)
        {
            var store = new FlashStore(512);
            var log = new DiscardLog();
            var clock = new ManualClock();
            var spool = new Spool.Spool(store, log, clock, 512, 4096, 65536, 8, 0, false);
            var config = new MainConfig(true);
            config.Set("myhostname", "board.lan.example", 0);
            var session = new SmtpSession(ServerSettings.From(config), spool.CreateSink(), clock, log);
            string one = Send(session, new ScriptedConnection(2048).Then(Mail + "one\r\n.\r\nQUIT\r\n"));
            Check.Contains("250 2.0.0 Ok: queued as", one);
            var second = new ScriptedConnection(2048).Then(Mail + "two\r\n.\r\nQUIT\r\n");
            var third = new ScriptedConnection(2048).Then(Mail + "three\r\n.\r\nQUIT\r\n");

            Ballast ballast = Fill(512, null);
            ballast = Fill(12, ballast);
            try
            {
                Heap.Free();
            }
            catch (OutOfMemoryException)
            {
                // A heap filled to the last block can lack room for the collection's own call; the fill after it
                // takes whatever the collection would have freed either way.
            }

            ballast = Fill(12, ballast);
            ballast = Release(ballast, left);
            session.Run(second, ListenMode.Smtp);
            ballast = null;

            string two = second.WrittenText;
            bool acknowledged = two.IndexOf("250 2.0.0 Ok: queued as") >= 0;
            bool refused = Has(two, "421 4.3.2 ") || Has(two, "452 4.3.1 ") || two.Length == 0;
            Check.True(acknowledged || refused, "the second message got neither 250 nor a 4xx: " + Check.Show(two));
            string three = Send(session, third);
            Check.Contains("250 2.0.0 Ok: queued as", three);

            var recovered = new Spool.Spool(store, log, clock, 512, 4096, 65536, 8, 0, false);
            QueuedMessage[] queued = recovered.Messages();
            Check.Equal(acknowledged ? 3 : 2, queued.Length, "queued after recovery");
            Check.EndsWith("\r\none\r\n", Body(recovered, queued[0].Id));
            Check.EndsWith("\r\nthree\r\n", Body(recovered, queued[queued.Length - 1].Id));
            return acknowledged ? "the message was taken" : "the message was refused with " + Reply(two);
        }

        /// <summary>Whether a reply line starts with <paramref name="reply"/>.</summary>
        private static bool Has(string replies, string reply)
        {
            return replies.StartsWith(reply) || replies.IndexOf("\r\n" + reply) >= 0;
        }

        private static string Send(SmtpSession session, ScriptedConnection connection)
        {
            session.Run(connection, ListenMode.Smtp);
            return connection.WrittenText;
        }

        /// <summary>Allocates blocks of <paramref name="size"/> until the heap says no.</summary>
        private static Ballast Fill(int size, Ballast chain)
        {
            try
            {
                while (true)
                {
                    var link = new Ballast();
                    link.Next = chain;
                    chain = link;
                    link.Data = new byte[size];
                }
            }
            catch (OutOfMemoryException)
            {
                return chain;
            }
        }

        /// <summary>Drops links until about <paramref name="bytes"/> are free.</summary>
        private static Ballast Release(Ballast chain, int bytes)
        {
            int freed = 0;
            while (chain != null && freed < bytes)
            {
                freed += chain.Data == null ? 12 : chain.Data.Length + 24;
                chain = chain.Next;
            }

            return chain;
        }

        private static string Body(Spool.Spool spool, long id)
        {
            Emailcore.Nano.Mail.IMessageSource source = spool.OpenContent(id);
            var all = new ByteBuffer();
            var buffer = new byte[128];
            int n;
            while ((n = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                all.Append(buffer, 0, n);
            }

            return all.Text;
        }

        private static string Reply(string replies)
        {
            int at = replies.StartsWith("4") ? -2 : replies.LastIndexOf("\r\n4");
            return replies.Length == 0 ? "the connection closed before the greeting" : at < -2 ? "the connection closed" : replies.Substring(at + 2, 9);
        }
    }
}

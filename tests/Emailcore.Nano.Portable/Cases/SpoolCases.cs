#nullable disable
using System;
using System.Collections;
using Emailcore.Nano.Config;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Spool;
using Emailcore.Nano.Tests.Support;
using Emailcore.Nano.Text;
using SpoolQueue = Emailcore.Nano.Spool.Spool;

namespace Emailcore.Nano.Tests.Portable
{
    /// <summary>
    /// The spool's promise (docs/spool-format.md) on the flash simulator: seeded power cuts at any byte of any
    /// write, with torn pages, then recovery; and the heap running out in the middle of a write.
    /// </summary>
    public static class SpoolCases
    {
        private const int CutsPerTest = 50;

        public static void Register(TestList t)
        {
            for (int k = 0; k < 6; k++)
            {
                int first = k * CutsPerTest;
                t.Add("Spool.power cuts with seeds " + first.ToString() + " to " + (first + CutsPerTest - 1).ToString() + " lose nothing acknowledged", delegate { PowerCuts(first); });
            }

            t.Add("Spool.a message is recovered byte for byte after a clean stop", CleanStop);
            t.Add("Spool.out of memory inside a write: 4xx, the next message is taken, recovery is clean", OutOfMemoryInWrite);
            t.Add("Spool.out of memory at every append of a message in turn", OutOfMemoryEverywhere);
        }

        public static SpoolQueue Open(FlashStore store)
        {
            return new SpoolQueue(store, new ListLog(), new ManualClock(), 256, 2048, 1 << 20, 64, 0, false);
        }

        public static byte[] Content(int seed, int index)
        {
            int size = 40 + ((seed * 37 + index * 101) % 700);
            var bytes = new byte[size];
            for (int i = 0; i < size; i++)
            {
                bytes[i] = (byte)(' ' + ((seed + index * 7 + i * 13) % 90));
            }

            return bytes;
        }

        /// <summary>Open, write in pieces, commit: the queue id, or -1 when any step said no.</summary>
        public static long Receive(SpoolQueue spool, string from, byte[] content)
        {
            var envelope = new Envelope(256, 1);
            byte[] path = Ascii.GetBytes(from);
            envelope.SetReversePath(path, 0, path.Length);
            byte[] rcpt = Ascii.GetBytes("ops@example.com");
            envelope.AddRecipient(rcpt, 0, rcpt.Length, Notify.Failure, new byte[0], 0, 0);
            IMessageSink sink = spool.CreateSink();
            long id = sink.Open(envelope);
            if (id < 0)
            {
                return -1;
            }

            for (int at = 0; at < content.Length; at += 300)
            {
                if (!sink.Write(content, at, Numbers.Min(300, content.Length - at)))
                {
                    sink.Abort();
                    return -1;
                }
            }

            return sink.Commit() ? id : -1;
        }

        public static byte[] Read(SpoolQueue spool, long id)
        {
            IMessageSource source = spool.OpenContent(id);
            Check.True(source != null, "message " + id.ToString() + " has content");
            var all = new ByteBuffer();
            var buffer = new byte[100];
            int n;
            while ((n = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                all.Append(buffer, 0, n);
            }

            return all.ToArray();
        }

        /// <summary>Six messages, the index of each acknowledged one in <paramref name="acked"/> by its id.</summary>
        private static void Workload(int seed, SpoolQueue spool, ArrayList ids, ArrayList indexes)
        {
            for (int i = 0; i < 6; i++)
            {
                long id = Receive(spool, "s" + i.ToString() + "@lan.example", Content(seed, i));
                if (id >= 0)
                {
                    ids.Add(id);
                    indexes.Add(i);
                }
            }
        }

        private static void PowerCuts(int first)
        {
            for (int seed = first; seed < first + CutsPerTest; seed++)
            {
                var plain = new FlashStore();
                Workload(seed, Open(plain), new ArrayList(), new ArrayList());
                var random = new Random(seed);
                var store = new FlashStore();
                store.CutAt = 1 + random.Next((int)plain.BytesAppended);
                var ids = new ArrayList();
                var indexes = new ArrayList();
                try
                {
                    Workload(seed, Open(store), ids, indexes);
                }
                catch (PowerCutException)
                {
                }

                store.PowerCycle(random, seed % 2 == 1);
                SpoolQueue recovered = Open(store);
                QueuedMessage[] queued = recovered.Messages();
                string where = "seed " + seed.ToString() + ", cut at byte " + store.CutAt.ToString();
                for (int i = 0; i < ids.Count; i++)
                {
                    long id = (long)ids[i];
                    Check.Equal(Content(seed, (int)indexes[i]), Read(recovered, id));
                    Check.True(Contains(queued, id), where + ": acknowledged message " + id.ToString() + " is queued");
                }

                // At most the one message whose commit was synced but not yet acknowledged when the power went.
                Check.True(queued.Length == ids.Count || queued.Length == ids.Count + 1, where + ": " + queued.Length.ToString() + " queued, " + ids.Count.ToString() + " acknowledged");
                Check.True(Receive(recovered, "after@lan.example", Content(seed, 9)) >= 0, where + ": the recovered spool takes new mail");
            }
        }

        private static bool Contains(QueuedMessage[] queued, long id)
        {
            for (int i = 0; i < queued.Length; i++)
            {
                if (queued[i].Id == id)
                {
                    return true;
                }
            }

            return false;
        }

        private static void CleanStop()
        {
            var store = new FlashStore();
            SpoolQueue spool = Open(store);
            long id = Receive(spool, "a@lan.example", Content(1, 1));
            Check.True(id >= 0, "queued");
            spool.Close();
            SpoolQueue again = Open(store);
            Check.False(again.Damaged, "not damaged");
            Check.Equal(Content(1, 1), Read(again, id));
        }

        /// <summary>A whole session over the real spool, the heap running out at one append of the second message.</summary>
        private static void OutOfMemoryInWrite()
        {
            var store = new FlashStore();
            SpoolQueue spool = Open(store);
            var session = new SmtpSession(SessionCases.Settings(null), spool.CreateSink(), new ManualClock(), new ListLog());
            string first = Session(session, "one");
            Check.Contains("250 2.0.0 Ok: queued as", first);
            store.AppendsBeforeOutOfMemory = 1;
            string second = Session(session, new string('x', 2000));
            store.AppendsBeforeOutOfMemory = -1;
            Check.True(second.IndexOf("\r\n452 4.3.1 ") >= 0 || second.IndexOf("\r\n421 4.3.2 ") >= 0, "a 4xx for the message the heap ran out on: " + Check.Show(second));
            string third = Session(session, "three");
            Check.Contains("250 2.0.0 Ok: queued as", third);
            SpoolQueue recovered = Open(store);
            QueuedMessage[] queued = recovered.Messages();
            Check.Equal(2, queued.Length, "messages after recovery");
            Check.EndsWith("\r\none\r\n", Utf8.GetString(Read(recovered, queued[0].Id), 0, Read(recovered, queued[0].Id).Length));
            Check.EndsWith("\r\nthree\r\n", Utf8.GetString(Read(recovered, queued[1].Id), 0, Read(recovered, queued[1].Id).Length));
        }

        private static void OutOfMemoryEverywhere()
        {
            for (int at = 0; at < 12; at++)
            {
                var store = new FlashStore();
                SpoolQueue spool = Open(store);
                long kept = Receive(spool, "kept@lan.example", Content(5, 0));
                store.AppendsBeforeOutOfMemory = at;
                long failed = -1;
                try
                {
                    failed = Receive(spool, "oom@lan.example", Content(5, 1));
                }
                catch (OutOfMemoryException)
                {
                    // Out of the sink, as the session would see it; the session then aborts the message.
                }

                store.AppendsBeforeOutOfMemory = -1;
                long after = Receive(spool, "after@lan.example", Content(5, 2));
                string where = "out of memory at append " + at.ToString();
                Check.True(after >= 0, where + ": the next message is taken");
                SpoolQueue recovered = Open(store);
                Check.Equal(Content(5, 0), Read(recovered, kept));
                Check.Equal(Content(5, 2), Read(recovered, after));
                Check.Equal(failed >= 0 ? 3 : 2, recovered.Messages().Length, where + ": queued after recovery");
            }
        }

        private static string Session(SmtpSession session, string body)
        {
            var connection = new ScriptedConnection().Then(SessionCases.Mail + body + "\r\n.\r\nQUIT\r\n");
            session.Run(connection, ListenMode.Smtp);
            return connection.WrittenText;
        }
    }
}

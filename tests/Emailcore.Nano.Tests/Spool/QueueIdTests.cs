using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Emailcore.Nano.Spool;
using Emailcore.Nano.Tests.Support;
using Xunit;
using static Emailcore.Nano.Tests.Spool.SpoolFixture;
using SpoolQueue = Emailcore.Nano.Spool.Spool;

namespace Emailcore.Nano.Tests.Spool
{
    /// <summary>
    /// Queue ids name one message for good (docs/spool-format.md, "Queue ids"): across restarts on an emptied spool,
    /// across a power cut between reserving a block of ids and using it, and across the counter files' rotation.
    /// </summary>
    public sealed class QueueIdTests
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

        [Fact]
        public void ARestartedRelayOnAnEmptiedSpoolGivesNewIds()
        {
            var relay = new RelayProcess("myhostname = relay.test.example\n");
            try
            {
                string[] first = SendAndDeliver(relay, 3, "status=sent");
                relay.Stop();
                Assert.Empty(Directory.GetFiles(relay.Queue, "S*.SPL"));

                relay.Start();
                string[] second = SendAndDeliver(relay, 3, "status=sent", times: 6);
                Assert.Equal(3, first.Distinct().Count());
                Assert.True(!first.Intersect(second).Any(), "ids given again after the restart: " + string.Join(" ", first) + " then " + string.Join(" ", second));
            }
            finally
            {
                relay.Dispose();
            }
        }

        [Fact]
        public void APowerCutBetweenReservingAndUsingIdsSkipsTheReservedBlock()
        {
            var store = new FlashStore();
            SpoolQueue spool = SpoolFixture.Open(store);
            Assert.Equal(1, Receive(spool.CreateSink(), Envelope("a@lan", "b@x"), Content(100, 1)));

            // The next receipt after a reopen reserves a block, syncs it, and the power goes as its envelope is written.
            spool = SpoolFixture.Open(store);
            store.CutAt = store.BytesAppended + Emailcore.Nano.Spool.Record.Overhead + 4 + 1;
            Assert.Throws<PowerCutException>(() => spool.CreateSink().Open(Envelope("a@lan", "b@x")));
            store.PowerCycle(new Random(1), corruptTornPage: false);

            spool = SpoolFixture.Open(store);
            Assert.Equal(1 + (2 * QueueIdCounter.Block), Receive(spool.CreateSink(), Envelope("a@lan", "b@x"), Content(100, 2)));
        }

        [Fact]
        public void NoPowerCutEverLetsAnIdBeGivenTwice()
        {
            var plain = new FlashStore();
            Churn(SpoolFixture.Open(plain), new List<long>());
            long total = plain.BytesAppended;
            var random = new Random(14);
            for (int trial = 0; trial < 300; trial++)
            {
                var store = new FlashStore();
                var given = new List<long>();
                long cutAt = 1 + (long)(random.NextDouble() * total);
                store.CutAt = cutAt;
                try
                {
                    Churn(SpoolFixture.Open(store), given);
                }
                catch (PowerCutException)
                {
                }

                store.PowerCycle(random, corruptTornPage: trial % 2 == 1);
                long id = SpoolFixture.Open(store).CreateSink().Open(Envelope("after@lan", "x@lan"));
                Assert.True(id > 0, "cut at byte " + cutAt + ": no new mail after recovery");
                Assert.True(!given.Contains(id), "cut at byte " + cutAt + ": id " + id + " given again");
            }
        }

        [Fact]
        public void TheCounterRotatesIntoOneSmallFile()
        {
            var store = new FlashStore();
            SpoolQueue spool = SpoolFixture.Open(store);
            var given = new List<long>();
            Churn(spool, given);
            Assert.Equal(Enumerable.Range(1, given.Count).Select(i => (long)i), given);
            Assert.Single(store.Names, QueueIdCounter.Owns);
            Assert.True(store.Bytes(store.Names.Single(QueueIdCounter.Owns)).Length <= 256);

            long next = Receive(SpoolFixture.Open(store).CreateSink(), Envelope("a@lan", "b@x"), Content(50, 0));
            Assert.True(next > given.Max(), "id " + next + " after " + given.Max());
        }

        /// <summary>Enough receipts and deliveries that the counter file fills a 256-byte page and rotates.</summary>
        private static void Churn(SpoolQueue spool, List<long> given)
        {
            for (int i = 0; i < 12 * QueueIdCounter.Block; i++)
            {
                var sink = spool.CreateSink();
                long id = sink.Open(Envelope("a@lan", "b@x"));
                Assert.True(id > 0);
                given.Add(id);
                byte[] content = Content(40, i);
                Assert.True(sink.Write(content, 0, content.Length));
                Assert.True(sink.Commit());
                Assert.True(SetState(spool, id, 0, RecipientState.Delivered, "250 ok"));
                Assert.True(spool.Sync());
            }
        }

        /// <summary>Sends mail to a local mailbox with smtplib and waits until all of it is delivered; returns the ids from the 250 replies.</summary>
        private static string[] SendAndDeliver(RelayProcess relay, int count, string delivered, int times = 0)
        {
            RunResult sent = Support.Python.Run($$"""
                import smtplib
                s = smtplib.SMTP('127.0.0.1', {{relay.Port}}, timeout=20)
                s.ehlo('client.example')
                for i in range({{count}}):
                    s.mail('bob@client.example')
                    s.rcpt('alice@localhost')
                    code, reply = s.data(b'Subject: id %d\r\n\r\nbody\r\n' % i)
                    print(code, reply.decode())
                s.quit()
                """, "");
            Assert.True(sent.ExitCode == 0, sent.ToString());
            string[] ids = sent.StandardOutput.Trim().Split('\n').Select(line => Regex.Match(line, "^250 .*queued as ([0-9A-F]+)").Groups[1].Value).ToArray();
            Assert.True(ids.Length == count && ids.All(id => id.Length > 0), sent.StandardOutput);
            Assert.True(relay.WaitForLog(delivered, Wait, times: times == 0 ? count : times), relay.Log);
            return ids;
        }
    }
}

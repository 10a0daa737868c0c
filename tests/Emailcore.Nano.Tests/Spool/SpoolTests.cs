using System;
using System.Linq;
using System.Text;
using System.Threading;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Tests.Support;
using Emailcore.Nano.Spool;
using Xunit;
using static Emailcore.Nano.Tests.Spool.SpoolFixture;
using SpoolQueue = Emailcore.Nano.Spool.Spool;

namespace Emailcore.Nano.Tests.Spool
{
    public class SpoolTests
    {
        [Fact]
        public void CommittedMessageSurvivesReopenWithItsEnvelopeAndContent()
        {
            var store = new FlashStore();
            var spool = SpoolFixture.Open(store);
            Envelope envelope = Envelope("a@lan", "b@example.com", "c@example.org");
            byte[] envid = Encoding.ASCII.GetBytes("QQ+2B314");
            envelope.SetEnvId(envid, 0, envid.Length);
            envelope.Body = BodyType.EightBitMime;
            envelope.Ret = DsnReturn.Headers;
            envelope.SmtpUtf8 = true;
            envelope.DeclaredSize = 5000;
            byte[] content = Content(5000, 1);
            long id = Receive(spool.CreateSink(), envelope, content);
            Assert.True(id > 0);

            var reopened = SpoolFixture.Open(store);
            QueuedMessage message = Assert.Single(reopened.Messages());
            Assert.Equal(id, message.Id);
            Assert.Equal(5000, message.Size);
            Assert.Equal(new ManualClock().Now.Ticks, message.ArrivalTicks);
            Assert.Equal(2, message.RecipientCount);
            Assert.Equal(RecipientState.Pending, message.State(1));
            Assert.Equal(Describe(envelope), Describe(reopened, id));
            IMessageSource source = reopened.OpenContent(id)!;
            Assert.Equal(5000, source.Length);
            Assert.Equal(content, ReadAll(source));
            source.Rewind();
            Assert.Equal(content, ReadAll(source));
            Assert.False(reopened.Damaged);
        }

        [Fact]
        public void CommitSyncsOnceAndFullChunksArePageSizedAppends()
        {
            var store = new FlashStore();
            var spool = SpoolFixture.Open(store, pageSize: 512, segmentSize: 65536);

            // The first receipt also syncs a block of queue ids (one sync per QueueIdCounter.Block messages).
            Assert.True(Receive(spool.CreateSink(), Envelope("a@lan", "b@lan"), Content(100, 1)) > 0);
            long syncs = store.Syncs;
            Assert.True(Receive(spool.CreateSink(), Envelope("a@lan", "b@lan"), Content(4000, 2), piece: 100) > 0);
            Assert.Equal(1, store.Syncs - syncs);
        }

        [Fact]
        public void InterleavedSessionsKeepTheirOwnContent()
        {
            var store = new FlashStore();
            var spool = SpoolFixture.Open(store, segmentSize: 1024);
            IMessageSink one = spool.CreateSink();
            IMessageSink two = spool.CreateSink();
            long a = one.Open(Envelope("one@lan", "x@lan"));
            long b = two.Open(Envelope("two@lan", "y@lan"));
            byte[] contentA = Content(3000, 3);
            byte[] contentB = Content(2500, 4);
            for (int at = 0; at < 3000; at += 300)
            {
                Assert.True(one.Write(contentA, at, 300));
                if (at < 2500)
                {
                    Assert.True(two.Write(contentB, at, 250 * 2 > 2500 - at ? 2500 - at : 250));
                    Assert.True(two.Write(contentB, at + 250, Math.Max(0, Math.Min(50, 2500 - at - 250))));
                }
            }

            Assert.True(two.Commit());
            Assert.True(one.Commit());
            var reopened = SpoolFixture.Open(store);
            Assert.True(reopened.SegmentCount > 2);
            Assert.Equal(contentA, ReadAll(reopened.OpenContent(a)!));
            Assert.Equal(contentB.Take(2500).ToArray(), ReadAll(reopened.OpenContent(b)!).Take(2500).ToArray());
        }

        [Fact]
        public void ConcurrentSessionsAndARunnerOnThreads()
        {
            var store = new FlashStore();
            var spool = SpoolFixture.Open(store, segmentSize: 4096, indexLimit: 200);
            var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
            {
                try
                {
                    IMessageSink sink = spool.CreateSink();
                    for (int i = 0; i < 20; i++)
                    {
                        byte[] content = Content(500 + (i * 97), (t * 100) + i);
                        long id = Receive(sink, Envelope("t" + t + "@lan", "r@lan"), content, piece: 77);
                        if (id < 0 || !content.SequenceEqual(ReadAll(spool.OpenContent(id)!)))
                        {
                            errors.Enqueue("thread " + t + " message " + i + ": id " + id + " or its content is wrong");
                        }

                        if (i % 2 == 0 && !(SetState(spool, id, 0, RecipientState.Delivered, "250 ok") && spool.Sync()))
                        {
                            errors.Enqueue("thread " + t + " message " + i + ": state not recorded");
                        }
                    }
                }
                catch (Exception e)
                {
                    errors.Enqueue(e.ToString());
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(30))));
            Assert.Empty(errors);
            Assert.Equal(40, spool.Messages().Length);
            Assert.Equal(40, SpoolFixture.Open(store).Messages().Length);
        }

        [Fact]
        public void ACommitWakesEveryWaitingRunner()
        {
            var spool = SpoolFixture.Open(new FlashStore());
            System.Threading.AutoResetEvent[] subscribed = Enumerable.Range(0, 4).Select(_ => spool.Subscribe()).ToArray();
            using var woken = new CountdownEvent(subscribed.Length);
            var waiters = subscribed.Select(e => new Thread(() =>
            {
                if (e.WaitOne(TimeSpan.FromSeconds(60)))
                {
                    woken.Signal();
                }
            })).ToList();
            waiters.ForEach(t => t.Start());
            Assert.True(Receive(spool.CreateSink(), Envelope("a@lan", "b@lan"), Content(100, 1)) > 0);
            Assert.True(woken.Wait(TimeSpan.FromSeconds(30)), woken.CurrentCount + " of 4 runners still asleep after a commit");
            waiters.ForEach(t => t.Join());
        }

        [Fact]
        public void AbortLeavesNothingAndRecoveryIsQuietAboutIt()
        {
            var store = new FlashStore();
            var log = new ListLog();
            var spool = SpoolFixture.Open(store);
            IMessageSink sink = spool.CreateSink();
            Assert.True(sink.Open(Envelope("a@lan", "b@lan")) > 0);
            Assert.True(sink.Write(Content(3000, 5), 0, 3000));
            sink.Abort();
            long kept = Receive(sink, Envelope("a@lan", "c@lan"), Content(10, 6));
            Assert.Single(spool.Messages());
            var reopened = SpoolFixture.Open(store, log);
            Assert.Equal(kept, Assert.Single(reopened.Messages()).Id);
            Assert.Equal(0, reopened.DroppedMessages);
            Assert.False(reopened.Damaged);
        }

        [Fact]
        public void StatesPersistAndFinalStatesNeverChange()
        {
            var store = new FlashStore();
            var clock = new ManualClock();
            var spool = SpoolFixture.Open(store);
            long id = Receive(spool.CreateSink(), Envelope("a@lan", "b@x", "c@x", "d@x"), Content(100, 7));
            long later = clock.Now.AddMinutes(30).Ticks;
            Assert.True(SetState(spool, id, 0, RecipientState.Delivered, "250 2.0.0 ok"));
            Assert.True(SetState(spool, id, 1, RecipientState.Deferred, "451 4.3.0 try later", later));
            Assert.True(SetState(spool, id, 2, RecipientState.Failed, "550 5.1.1 no such user"));
            Assert.False(SetState(spool, id, 0, RecipientState.Deferred, "451 again"));
            Assert.False(SetState(spool, id, 2, RecipientState.Delivered, "250"));
            Assert.True(spool.Sync());

            var reopened = SpoolFixture.Open(store);
            QueuedMessage message = Assert.Single(reopened.Messages());
            Assert.Equal(RecipientState.Delivered, message.State(0));
            Assert.Equal(RecipientState.Deferred, message.State(1));
            Assert.Equal(RecipientState.Failed, message.State(2));
            Assert.Equal(1, message.Attempts(1));
            Assert.Equal(later, message.NextAttemptTicks(1));
            Assert.False(message.IsDue(clock.Now.Ticks));
            Assert.Equal("451 4.3.0 try later", reopened.LastReply(id, 1));
            Assert.Equal("550 5.1.1 no such user", reopened.LastReply(id, 2));
            Assert.Equal("", reopened.LastReply(id, 2 + 1));

            Assert.Equal(1, reopened.Flush());
            Assert.True(SpoolFixture.Open(store).Messages()[0].IsDue(clock.Now.Ticks));
            Assert.Equal("451 4.3.0 try later", SpoolFixture.Open(store).LastReply(id, 1));
        }

        [Fact]
        public void FinishedMessagesFreeTheirSegments()
        {
            var store = new FlashStore();
            var spool = SpoolFixture.Open(store, segmentSize: 1024);
            long[] ids = Enumerable.Range(0, 5).Select(i => Receive(spool.CreateSink(), Envelope("a@lan", "b@x"), Content(1500, i))).ToArray();
            Assert.True(spool.SegmentCount >= 5);
            foreach (long id in ids)
            {
                Assert.True(SetState(spool, id, 0, RecipientState.Delivered, "250 ok"));
            }

            Assert.True(spool.Sync());
            Assert.Empty(spool.Messages());
            Assert.Equal(0, spool.SegmentCount);
            Assert.Equal(new[] { "QUEUEID0.SPL" }, store.Names);
        }

        [Fact]
        public void AStuckMessageKeepsOnlyItsSegmentsAndOthersStatesAreCarriedForward()
        {
            var store = new FlashStore();
            var spool = SpoolFixture.Open(store, segmentSize: 1024);
            long stuck = Receive(spool.CreateSink(), Envelope("a@lan", "slow@x"), Content(300, 1));
            long shared = Receive(spool.CreateSink(), Envelope("a@lan", "b@x", "c@x"), Content(300, 2));
            Assert.True(SetState(spool, shared, 0, RecipientState.Delivered, "250 ok"));
            Assert.True(spool.Sync());
            for (int i = 0; i < 20; i++)
            {
                long id = Receive(spool.CreateSink(), Envelope("a@lan", "d@x"), Content(900, 10 + i));
                Assert.True(SetState(spool, id, 0, RecipientState.Delivered, "250 ok"));
                Assert.True(spool.Sync());
            }

            Assert.True(spool.SegmentCount <= 3, "segments: " + spool.SegmentCount);
            var reopened = SpoolFixture.Open(store);
            QueuedMessage[] queued = reopened.Messages();
            Assert.Equal(new[] { stuck, shared }, queued.Select(m => m.Id).ToArray());
            Assert.Equal(RecipientState.Delivered, queued[1].State(0));
            Assert.Equal(RecipientState.Pending, queued[1].State(1));
        }

        [Fact]
        public void RemoveIsDurableAndFreesSpace()
        {
            var store = new FlashStore();
            var spool = SpoolFixture.Open(store);
            long id = Receive(spool.CreateSink(), Envelope("a@lan", "b@x"), Content(100, 1));
            Assert.False(spool.Remove(id + 1));
            Assert.True(spool.Remove(id));
            Assert.Empty(spool.Messages());
            Assert.Empty(SpoolFixture.Open(store).Messages());
            Assert.False(spool.Remove(id));
        }

        [Fact]
        public void ReadOnlyNeverWrites()
        {
            var store = new FlashStore();
            var spool = SpoolFixture.Open(store);
            long id = Receive(spool.CreateSink(), Envelope("a@lan", "b@x"), Content(100, 1));
            long appended = store.BytesAppended;
            SpoolQueue reader = SpoolFixture.Open(store, readOnly: true);
            Assert.Equal(-1, reader.CreateSink().Open(Envelope("a@lan", "b@x")));
            Assert.False(SetState(reader, id, 0, RecipientState.Delivered, "250"));
            Assert.Equal(appended, store.BytesAppended);
        }

        [Fact]
        public void IdsNeverRepeatWhileTheirRecordsRemain()
        {
            var store = new FlashStore();
            var spool = SpoolFixture.Open(store);
            long first = Receive(spool.CreateSink(), Envelope("a@lan", "b@x"), Content(10, 1));
            long second = SpoolFixture.Open(store).CreateSink() is var sink ? Receive(sink, Envelope("a@lan", "b@x"), Content(10, 1)) : 0;
            Assert.True(second > first);
        }
    }
}

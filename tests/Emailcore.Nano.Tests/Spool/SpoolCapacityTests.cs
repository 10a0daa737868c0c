using System.Linq;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Tests.Support;
using Emailcore.Nano.Spool;
using Xunit;
using static Emailcore.Nano.Tests.Spool.SpoolFixture;

namespace Emailcore.Nano.Tests.Spool
{
    /// <summary>queue_size_limit at the sink: refusal (the server's 452 4.3.1), nothing partial, space back after delivery.</summary>
    public class SpoolCapacityTests
    {
        private const int Limit = 8192;

        [Fact]
        public void HasRoomAnswersForTheDeclaredSize()
        {
            var spool = SpoolFixture.Open(new FlashStore(), sizeLimit: Limit, segmentSize: 2048);
            IMessageSink sink = spool.CreateSink();
            Assert.True(sink.HasRoom(-1));
            Assert.True(sink.HasRoom(4000));
            Assert.False(sink.HasRoom(Limit));
        }

        [Fact]
        public void FullSpoolRefusesLeavesNothingPartialAndFreesSpaceAfterDelivery()
        {
            var store = new FlashStore();
            var spool = SpoolFixture.Open(store, sizeLimit: Limit, segmentSize: 2048);
            IMessageSink sink = spool.CreateSink();
            var accepted = new System.Collections.Generic.List<long>();
            long id;
            while ((id = Receive(sink, Envelope("a@lan", "b@x"), Content(1500, accepted.Count), piece: 500)) > 0)
            {
                accepted.Add(id);
            }

            Assert.True(accepted.Count >= 3);
            Assert.True(spool.UsedBytes <= Limit);
            Assert.False(sink.HasRoom(1500));

            // Refused in the middle of the content: Write says no, Commit says no, nothing of it is visible now or after recovery.
            Assert.Equal(accepted, spool.Messages().Select(m => m.Id).ToList());
            var reopened = SpoolFixture.Open(store, sizeLimit: Limit, segmentSize: 2048);
            Assert.Equal(accepted, reopened.Messages().Select(m => m.Id).ToList());
            Assert.False(reopened.Damaged);

            // Delivery keeps running on a full spool, and its records give the space back.
            foreach (long queued in accepted)
            {
                Assert.True(SetState(reopened, queued, 0, RecipientState.Delivered, "250 2.0.0 ok"));
            }

            Assert.True(reopened.Sync());
            Assert.Equal(0, reopened.UsedBytes);
            Assert.Equal(new[] { "QUEUEID0.SPL" }, store.Names);
            Assert.True(reopened.CreateSink().HasRoom(1500));
            Assert.True(Receive(reopened.CreateSink(), Envelope("a@lan", "b@x"), Content(1500, 99)) > 0);
        }

        [Fact]
        public void QueueMinfreeHoldsTheMediumBackForStatesAndNotifications()
        {
            // The medium, not queue_size_limit, is what fills: new mail stops queue_minfree short of it.
            const long MinFree = 4096;
            var store = new FlashStore(capacity: 16384);
            var spool = SpoolFixture.Open(store, sizeLimit: 1 << 20, segmentSize: 2048, minFree: MinFree);
            IMessageSink sink = spool.CreateSink();
            var accepted = new System.Collections.Generic.List<long>();
            long id;
            while ((id = Receive(sink, Envelope("a@lan", "b@x"), Content(1500, accepted.Count), piece: 500)) > 0)
            {
                accepted.Add(id);
            }

            Assert.True(accepted.Count >= 3);
            Assert.True(store.FreeBytes >= MinFree - 256, store.FreeBytes.ToString());
            Assert.False(sink.HasRoom(1500));

            // A notification may use the reserve; so may every state record, which then lets the space go.
            IMessageSink notification = spool.CreateNotificationSink();
            long bounce = Receive(notification, Envelope("", "a@lan"), Content(1000, 77));
            Assert.True(bounce > 0);
            foreach (long queued in accepted)
            {
                Assert.True(SetState(spool, queued, 0, RecipientState.Delivered, "250 2.0.0 ok"));
            }

            Assert.True(SetState(spool, bounce, 0, RecipientState.Delivered, "250 2.0.0 ok"));
            Assert.True(spool.Sync());
            Assert.Empty(spool.Messages());
            Assert.True(spool.CreateSink().HasRoom(1500));
        }

        [Fact]
        public void OpenIsRefusedWhenEvenTheEnvelopeDoesNotFit()
        {
            var spool = SpoolFixture.Open(new FlashStore(), sizeLimit: 90, segmentSize: 2048);
            Assert.Equal(-1, spool.CreateSink().Open(Envelope("a@lan", "b@x")));
            Assert.Empty(spool.Messages());
        }

        [Fact]
        public void IndexLimitRefusesNewMail()
        {
            var spool = SpoolFixture.Open(new FlashStore(), indexLimit: 2);
            IMessageSink sink = spool.CreateSink();
            Assert.True(Receive(sink, Envelope("a@lan", "b@x"), Content(10, 1)) > 0);
            Assert.True(Receive(sink, Envelope("a@lan", "b@x"), Content(10, 2)) > 0);
            Assert.False(sink.HasRoom(10));
            Assert.Equal(-1, sink.Open(Envelope("a@lan", "b@x")));
        }

        [Fact]
        public void AFullMediumFailsTheCommitAndNothingRemains()
        {
            var store = new FlashStore(capacity: 3000);
            var spool = SpoolFixture.Open(store, segmentSize: 65536);
            long kept = Receive(spool.CreateSink(), Envelope("a@lan", "b@x"), Content(1000, 1));
            Assert.True(kept > 0);
            Assert.Equal(-1, Receive(spool.CreateSink(), Envelope("a@lan", "b@x"), Content(2500, 2), piece: 2500));
            Assert.Equal(new[] { kept }, spool.Messages().Select(m => m.Id).ToArray());
            store.Capacity = 1 << 20;
            Assert.True(Receive(spool.CreateSink(), Envelope("a@lan", "b@x"), Content(100, 3)) > 0);
            Assert.Equal(2, SpoolFixture.Open(store).Messages().Length);
        }
    

        [Fact]
        public void AWriteFailureKeepsStatesRecordedBeforeIt()
        {
            var store = new FlashStore(capacity: 4000);
            var spool = SpoolFixture.Open(store, segmentSize: 65536);
            long delivered = Receive(spool.CreateSink(), Envelope("a@lan", "b@x"), Content(1000, 1));
            Assert.True(SetState(spool, delivered, 0, RecipientState.Delivered, "250 ok"));
            Assert.Equal(-1, Receive(spool.CreateSink(), Envelope("a@lan", "b@x"), Content(5000, 2), piece: 5000));
            Assert.True(spool.Sync());
            store.Capacity = 1 << 20;
            store.PowerCycle(new System.Random(1), corruptTornPage: false);
            Assert.Empty(SpoolFixture.Open(store).Messages());
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Tests.Support;
using Emailcore.Nano.Spool;
using Xunit;
using static Emailcore.Nano.Tests.Spool.SpoolFixture;
using SpoolQueue = Emailcore.Nano.Spool.Spool;

namespace Emailcore.Nano.Tests.Spool
{
    /// <summary>
    /// The promise under power cuts: a seeded workload (three interleaved sessions, a queue runner recording
    /// states, admin deletes and flushes) runs on the flash simulator until the power fails at a random byte of a
    /// random write; after the reboot (sometimes cut again during recovery itself) the recovered spool must hold
    /// every committed message exactly once with its envelope and content, nothing uncommitted, no recipient
    /// state older than the last one made durable, and no queue id handed out again.
    /// </summary>
    public class TortureTests
    {
        private const int Workloads = 250;
        private const int CutsPerWorkload = 10;

        [Fact]
        public void EveryCutPointKeepsThePromise()
        {
            int trials = 0;
            for (int workload = 0; workload < Workloads; workload++)
            {
                var plain = new FlashStore();
                new Workload(workload, SpoolFixture.Open(plain, sizeLimit: 40_000, indexLimit: 16)).Run();
                long total = plain.BytesAppended;
                var cuts = new Random(workload * 7919);
                for (int cut = 0; cut < CutsPerWorkload; cut++)
                {
                    long at = (long)(cuts.NextDouble() * total);
                    Trial(workload, at, corrupt: cut % 2 == 1, cutRecovery: cut % 4 == 3, cuts);
                    trials++;
                }
            }

            Assert.Equal(Workloads * CutsPerWorkload, trials);
        }

        private static void Trial(int seed, long cutAt, bool corrupt, bool cutRecovery, Random random)
        {
            var store = new FlashStore();
            var workload = new Workload(seed, SpoolFixture.Open(store, sizeLimit: 40_000, indexLimit: 16));
            store.CutAt = cutAt;
            try
            {
                workload.Run();
            }
            catch (PowerCutException)
            {
            }

            string where = "workload " + seed + ", cut at byte " + cutAt + (corrupt ? " (torn page corrupted)" : "");
            store.PowerCycle(random, corrupt);
            SpoolQueue spool;
            if (cutRecovery)
            {
                store.CutAt = store.BytesAppended + random.Next(300);
                try
                {
                    SpoolFixture.Open(store, sizeLimit: 40_000, indexLimit: 16);
                }
                catch (PowerCutException)
                {
                }

                store.PowerCycle(random, corrupt);
            }

            spool = SpoolFixture.Open(store, sizeLimit: 40_000, indexLimit: 16);
            workload.Check(spool, where);

            // The recovered spool takes new mail, and a second recovery sees the same queue.
            long id = Receive(spool.CreateSink(), Envelope("after@lan", "x@lan"), Content(300, seed));
            string[] before = spool.Messages().Select(m => m.Id + ":" + m.Size).ToArray();
            Assert.True(id > 0, where + ": no new mail after recovery");
            Assert.False(workload.Given.Contains(id), where + ": queue id " + id + " given again");
            string[] again = SpoolFixture.Open(store, sizeLimit: 40_000, indexLimit: 16).Messages().Select(m => m.Id + ":" + m.Size).ToArray();
            Assert.True(before.SequenceEqual(again), where + ": a second recovery differs");
        }

        /// <summary>A reproducible mix of receipts and deliveries, with the oracle of what each call promised.</summary>
        private sealed class Workload(int seed, SpoolQueue spool)
        {
            private readonly Random _random = new(seed);
            private readonly Dictionary<long, (string Envelope, byte[] Content)> _committed = new();
            private readonly Dictionary<(long, int), RecipientState> _durable = new();
            private readonly Dictionary<(long, int), List<RecipientState>> _unsynced = new();
            private (long Id, string Envelope, byte[] Content)? _committing;

            /// <summary>Every id the spool handed out, committed or not: none may ever be handed out again.</summary>
            public HashSet<long> Given { get; } = new();

            public void Run()
            {
                var sessions = Enumerable.Range(0, 3).Select(_ => new Session(spool.CreateSink())).ToArray();
                for (int step = 0; step < 300; step++)
                {
                    int op = _random.Next(100);
                    if (op < 65)
                    {
                        Advance(sessions[_random.Next(sessions.Length)]);
                    }
                    else if (op < 85)
                    {
                        Deliver();
                    }
                    else if (op < 90)
                    {
                        RemoveOne();
                    }
                    else if (op < 93)
                    {
                        spool.Flush();
                    }
                    else
                    {
                        ReadOne();
                    }
                }
            }

            private void Advance(Session session)
            {
                if (session.Id < 0)
                {
                    int recipients = 1 + _random.Next(3);
                    Envelope envelope = Envelope("s" + _random.Next(1000) + "@lan", Enumerable.Range(0, recipients).Select(r => "r" + r + "@example.com").ToArray());
                    envelope.DeclaredSize = _random.Next(2) == 0 ? -1 : _random.Next(5000);
                    envelope.Body = (BodyType)_random.Next(3);
                    session.Id = session.Sink.Open(envelope);
                    Given.Add(session.Id);
                    session.Envelope = Describe(envelope);
                    session.Content = new List<byte>();
                    session.Target = _random.Next(4) == 0 ? _random.Next(6000) : _random.Next(900);
                    return;
                }

                if (session.Content.Count < session.Target)
                {
                    byte[] piece = Content(Math.Min(1 + _random.Next(700), session.Target - session.Content.Count), _random.Next());
                    session.Content.AddRange(piece);
                    if (!session.Sink.Write(piece, 0, piece.Length))
                    {
                        Assert.False(session.Sink.Commit());
                        session.Id = -1;
                    }

                    return;
                }

                if (_random.Next(7) == 0)
                {
                    session.Sink.Abort();
                }
                else
                {
                    _committing = (session.Id, session.Envelope, session.Content.ToArray());
                    if (session.Sink.Commit())
                    {
                        _committed[session.Id] = (session.Envelope, session.Content.ToArray());
                    }

                    _committing = null;
                }

                session.Id = -1;
            }

            private void Deliver()
            {
                QueuedMessage[] queued = spool.Messages();
                if (queued.Length == 0)
                {
                    return;
                }

                QueuedMessage message = queued[_random.Next(queued.Length)];
                for (int r = 0; r < message.RecipientCount; r++)
                {
                    if (QueuedMessage.IsFinal(message.State(r)) || _random.Next(3) == 0)
                    {
                        continue;
                    }

                    var state = (RecipientState)(1 + _random.Next(3));
                    if (SetState(spool, message.Id, r, state, state + " reply " + _random.Next(), _random.Next(2) == 0 ? 0 : 1000))
                    {
                        Unsynced(message.Id, r).Add(state);
                    }
                }

                if (_random.Next(5) != 0 && spool.Sync())
                {
                    MakeDurable();
                }
            }

            private void RemoveOne()
            {
                QueuedMessage[] queued = spool.Messages();
                if (queued.Length == 0)
                {
                    return;
                }

                QueuedMessage message = queued[_random.Next(queued.Length)];
                for (int r = 0; r < message.RecipientCount; r++)
                {
                    if (!QueuedMessage.IsFinal(message.State(r)))
                    {
                        Unsynced(message.Id, r).Add(RecipientState.Removed);
                    }
                }

                if (spool.Remove(message.Id))
                {
                    MakeDurable();
                }
            }

            private void ReadOne()
            {
                QueuedMessage[] queued = spool.Messages();
                if (queued.Length > 0)
                {
                    QueuedMessage message = queued[_random.Next(queued.Length)];
                    Assert.Equal(_committed[message.Id].Content, ReadAll(spool.OpenContent(message.Id)!));
                }
            }

            private List<RecipientState> Unsynced(long id, int recipient)
            {
                if (!_unsynced.TryGetValue((id, recipient), out List<RecipientState>? list))
                {
                    _unsynced[(id, recipient)] = list = new List<RecipientState>();
                }

                return list;
            }

            /// <summary>A successful Sync made every state recorded so far durable (the last one per recipient wins).</summary>
            private void MakeDurable()
            {
                foreach (KeyValuePair<(long, int), List<RecipientState>> pending in _unsynced)
                {
                    if (pending.Value.Count > 0)
                    {
                        _durable[pending.Key] = pending.Value[^1];
                    }
                }

                _unsynced.Clear();
            }

            public void Check(SpoolQueue recovered, string where)
            {
                QueuedMessage[] queued = recovered.Messages();
                Assert.True(queued.Select(m => m.Id).Distinct().Count() == queued.Length, where + ": a message is queued twice");
                var present = queued.ToDictionary(m => m.Id);
                foreach (QueuedMessage message in queued)
                {
                    (string Envelope, byte[] Content) expected;
                    if (_committing is { } inFlight && inFlight.Id == message.Id)
                    {
                        expected = (inFlight.Envelope, inFlight.Content);
                    }
                    else
                    {
                        Assert.True(_committed.TryGetValue(message.Id, out expected), where + ": uncommitted message " + message.Id + " is visible");
                    }

                    Assert.True(expected.Envelope == Describe(recovered, message.Id), where + ": envelope of " + message.Id + " differs");
                    Assert.True(expected.Content.SequenceEqual(ReadAll(recovered.OpenContent(message.Id)!)), where + ": content of " + message.Id + " differs");
                }

                foreach (long id in _committed.Keys)
                {
                    int recipients = _committed[id].Envelope.Split(" to=").Length - 1;
                    bool mayBeGone = true;
                    bool mustBeGone = true;
                    for (int r = 0; r < recipients; r++)
                    {
                        RecipientState durable = _durable.TryGetValue((id, r), out RecipientState d) ? d : RecipientState.Pending;
                        List<RecipientState> later = _unsynced.TryGetValue((id, r), out List<RecipientState>? l) ? l : new List<RecipientState>();
                        mustBeGone &= QueuedMessage.IsFinal(durable);
                        mayBeGone &= QueuedMessage.IsFinal(durable) || later.Any(QueuedMessage.IsFinal);
                        if (present.TryGetValue(id, out QueuedMessage? message))
                        {
                            RecipientState now = message.State(r);
                            Assert.True(now == durable || later.Contains(now), where + ": recipient " + r + " of " + id + " is " + now + ", durable state was " + durable);
                        }
                    }

                    Assert.False(mustBeGone && present.ContainsKey(id), where + ": finished message " + id + " is queued again");
                    Assert.True(present.ContainsKey(id) || mayBeGone, where + ": committed message " + id + " is lost");
                }
            }
        }

        private sealed class Session(IMessageSink sink)
        {
            public IMessageSink Sink { get; } = sink;

            public long Id { get; set; } = -1;

            public string Envelope { get; set; } = "";

            public List<byte> Content { get; set; } = new();

            public int Target { get; set; }
        }
    }
}

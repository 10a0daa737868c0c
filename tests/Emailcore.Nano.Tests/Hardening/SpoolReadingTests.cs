using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Emailcore.Nano.Config;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Spool;
using Emailcore.Nano.Tests.Spool;
using Emailcore.Nano.Tests.Support;
using Xunit;
using static Emailcore.Nano.Tests.Smtp.Client.ClientFixture;
using ListLog = Emailcore.Nano.Tests.Spool.ListLog;
using Record = Emailcore.Nano.Spool.Record;

namespace Emailcore.Nano.Tests.Hardening
{
    /// <summary>Issue 18 item 5: reading agrees with recovery, unreadable content is held once, and the client never reuses a half-sent DATA.</summary>
    public sealed class SpoolReadingTests
    {
        private sealed record Rec(int Offset, int Type, uint Length, uint Id);

        /// <summary>The records of a segment file as laid out (headers only; no CRC check).</summary>
        private static List<Rec> Records(byte[] file)
        {
            var records = new List<Rec>();
            int p = 0;
            while (p + Record.Overhead <= file.Length && file[p] == Record.Magic0 && file[p + 1] == Record.Magic1)
            {
                uint length = BitConverter.ToUInt32(file, p + 4);
                records.Add(new Rec(p, file[p + 2], length, BitConverter.ToUInt32(file, p + 12)));
                p += Record.Overhead + (int)length;
            }

            return records;
        }

        /// <summary>
        /// Message A's content starts in segment 1, where another message's chunk is the last record, and goes on in
        /// segment 2. That last record's length field is then destroyed, as by a damaged flash page.
        /// </summary>
        private static (FlashStore Store, long A, byte[] ContentA) MessageNextToADamagedTail()
        {
            var store = new FlashStore();
            var spool = SpoolFixture.Open(store);
            IMessageSink a = spool.CreateSink();
            IMessageSink b = spool.CreateSink();
            byte[] contentA = SpoolFixture.Content(900, 1);
            long idA = a.Open(SpoolFixture.Envelope("a@example.org", "x@example.com"));
            Assert.True(a.Write(contentA, 0, 237));
            long idB = b.Open(SpoolFixture.Envelope("b@example.org", "y@example.com"));
            Assert.True(b.Write(SpoolFixture.Content(1640, 2), 0, 1640));
            Assert.True(a.Write(contentA, 237, contentA.Length - 237));
            Assert.True(a.Commit());
            Assert.True(b.Commit());
            spool.Close();

            string first = Nano.Spool.Spool.NameOf(1);
            List<Rec> records = Records(store.Bytes(first));
            Rec last = records[^1];
            Assert.Equal((Record.Chunk, (uint)idB), (last.Type, last.Id));
            Assert.Contains(Records(store.Bytes(Nano.Spool.Spool.NameOf(2))), r => r.Type == Record.Chunk && r.Id == (uint)idA);
            for (int i = 4; i < 8; i++)
            {
                store.Poke(first, last.Offset + i, 0xE5);
            }

            return (store, idA, contentA);
        }

        [Fact]
        public void AMessageRecoveredNextToADamagedTailIsReadWholeFromTheNextSegment()
        {
            var (store, idA, contentA) = MessageNextToADamagedTail();
            var log = new ListLog();
            var spool = SpoolFixture.Open(store, log);
            QueuedMessage message = Assert.Single(spool.Messages());
            Assert.Equal(idA, message.Id);
            Assert.Equal(contentA, SpoolFixture.ReadAll(spool.OpenContent(idA)));
            Assert.False(message.Held);
        }

        [Fact]
        public void ContentDamagedAfterRecoveryHoldsTheMessageWithOneLogLine()
        {
            var store = new FlashStore();
            var log = new ListLog();
            var spool = SpoolFixture.Open(store, log);
            long id = SpoolFixture.Receive(spool.CreateSink(), SpoolFixture.Envelope("a@example.org", "x@example.com"), SpoolFixture.Content(1000, 3));
            long other = SpoolFixture.Receive(spool.CreateSink(), SpoolFixture.Envelope("b@example.org", "y@example.com"), SpoolFixture.Content(100, 4));

            // The flash now returns other bytes where the message's second chunk was.
            string segment = Nano.Spool.Spool.NameOf(1);
            Rec chunk = Records(store.Bytes(segment)).Where(r => r.Type == Record.Chunk && r.Id == (uint)id).ElementAt(1);
            store.Poke(segment, chunk.Offset, 0x00);

            for (int attempt = 0; attempt < 3; attempt++)
            {
                var e = Assert.Throws<ContentUnreadableException>(() => SpoolFixture.ReadAll(spool.OpenContent(id)));
                Assert.Equal(QueueId.Format(id) + ": content cannot be read from the spool (the record at S0000001.SPL:" + chunk.Offset + " is damaged); message held until the relay restarts", e.Message);
            }

            Assert.Single(log.Lines, l => l.Contains("held"));
            QueuedMessage held = spool.Messages().Single(m => m.Id == id);
            Assert.True(held.Held);
            Assert.False(held.IsDue(long.MaxValue));

            // The other message is untouched and still due.
            Assert.True(spool.Messages().Single(m => m.Id == other).IsDue(long.MaxValue));
            Assert.Equal(SpoolFixture.Content(100, 4), SpoolFixture.ReadAll(spool.OpenContent(other)));
        }

        [Fact]
        public void AnEnvelopeThatCannotBeReadHoldsTheMessage()
        {
            var store = new FlashStore();
            var log = new ListLog();
            var spool = SpoolFixture.Open(store, log);
            long id = SpoolFixture.Receive(spool.CreateSink(), SpoolFixture.Envelope("a@example.org", "x@example.com"), SpoolFixture.Content(10, 5));
            string segment = Nano.Spool.Spool.NameOf(1);
            Rec envelope = Records(store.Bytes(segment)).Single(r => r.Type == Record.Envelope);
            for (int i = 4; i < 8; i++)
            {
                store.Poke(segment, envelope.Offset + i, 0xFF);
            }

            Assert.False(spool.LoadEnvelope(id, new Envelope(4096, 64)));
            Assert.False(spool.LoadEnvelope(id, new Envelope(4096, 64)));
            Assert.Single(log.Lines, l => l.Contains("held"));
            Assert.True(spool.Messages().Single().Held);
        }

        /// <summary>A message source whose store fails after some bytes, as a damaged segment does mid-DATA.</summary>
        private sealed class FailingSource(int goodBytes) : IMessageSource
        {
            private int _done;

            public long Length => goodBytes * 2;

            public int Read(byte[] buffer, int offset, int count)
            {
                if (_done >= goodBytes)
                {
                    throw new StoreException("segment S0000007.SPL ends before offset 9000");
                }

                int n = Math.Min(count, goodBytes - _done);
                Array.Fill(buffer, (byte)'x', offset, n);
                _done += n;
                return n;
            }

            public void Rewind() => _done = 0;
        }

        [Fact]
        public void AStoreErrorMidDataAbortsTheConnectionWithoutTheFinalDot()
        {
            var received = new List<string>();
            var ended = new ManualResetEventSlim();
            using var server = new ScriptedServer((c, _) =>
            {
                c.Greet("PIPELINING");
                try
                {
                    for (string line = c.ReadLine(); ; line = c.ReadLine())
                    {
                        lock (received)
                        {
                            received.Add(line);
                        }

                        if (line == "DATA")
                        {
                            c.Send("250 ok\r\n250 ok\r\n354 go\r\n");
                        }
                    }
                }
                finally
                {
                    ended.Set();
                }
            });
            SmtpClient client = NewClient();
            var failure = new DeliveryResult();
            Assert.True(client.Open(Loopback(server.Port), "mx.example", "mx.example", TlsLevel.None, false, null, null, failure));
            DeliveryResult[] results = Results(1);
            client.Send(Envelope("a@example.org", "x@example.com"), All(1), 1, new FailingSource(3000), results);

            Assert.Equal((451, "4.3.0"), (results[0].Code, results[0].Status));
            Assert.Contains("segment S0000007.SPL ends before offset 9000", results[0].Text);
            Assert.False(client.IsOpen);
            Assert.True(ended.Wait(30_000), "the server never saw the connection end");
            lock (received)
            {
                Assert.DoesNotContain(".", received);
                Assert.DoesNotContain("QUIT", received);
                Assert.DoesNotContain("RSET", received);
            }
        }
    }
}

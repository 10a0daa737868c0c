using System.Linq;
using System.Text;
using Emailcore.Nano.Tests.Support;
using Emailcore.Nano.Spool;
using Xunit;
using static Emailcore.Nano.Tests.Spool.SpoolFixture;
using Record = Emailcore.Nano.Spool.Record;

namespace Emailcore.Nano.Tests.Spool
{
    public class SpoolFormatTests
    {
        private const int EnvelopeAt = Record.Overhead + Record.SegmentHeaderPayload;

        [Fact]
        public void Crc32MatchesTheStandardCheckValue()
        {
            byte[] check = Encoding.ASCII.GetBytes("123456789");
            Assert.Equal(0xCBF43926u, Crc32.Compute(check, 0, check.Length));
            Assert.Equal(0u, Crc32.Compute(check, 0, 0));
            uint running = Crc32.Update(Crc32.Initial, check, 0, 4);
            Assert.Equal(0xCBF43926u, Crc32.Final(Crc32.Update(running, check, 4, 5)));
        }

        [Fact]
        public void SegmentNamesAreEightThree()
        {
            Assert.Equal("S0000001.SPL", Emailcore.Nano.Spool.Spool.NameOf(1));
            Assert.Equal("S0ABCDEF.SPL", Emailcore.Nano.Spool.Spool.NameOf(0xABCDEF));
        }

        [Fact]
        public void SegmentStartsWithAVersionedHeader()
        {
            var store = new FlashStore();
            Receive(SpoolFixture.Open(store).CreateSink(), Envelope("a@lan", "b@x"), Content(10, 1));
            byte[] segment = store.Bytes(store.Names.Single(name => !QueueIdCounter.Owns(name)));
            Assert.Equal(new byte[] { 0xEC, 0x51, Record.SegmentHeader, 0 }, segment.Take(4).ToArray());
            Assert.Equal(Record.FormatVersion, Record.GetU16(segment, Record.HeaderSize));
            Assert.Equal(Record.Envelope, segment[EnvelopeAt + 2]);
        }

        [Fact]
        public void CrcMismatchDropsTheRestOfTheSegmentAndSaysSo()
        {
            (FlashStore store, string name, long first, long second) = TwoMessagesInOneSegment();
            byte[] bytes = store.Bytes(name);
            int secondEnvelope = SecondEnvelopeOffset(bytes);
            bytes[secondEnvelope + Record.HeaderSize + 3] ^= 0x40;
            store.Put(name, bytes);

            var log = new ListLog();
            var spool = SpoolFixture.Open(store, log);
            Assert.Equal(new[] { first }, spool.Messages().Select(m => m.Id).ToArray());
            Assert.True(spool.Damaged);
            Assert.Equal(bytes.Length - secondEnvelope, spool.DroppedBytes);
            Assert.Contains(log.Lines, l => l.Contains(name + ": dropped") && l.Contains("CRC mismatch"));
            Assert.DoesNotContain(second, spool.Messages().Select(m => m.Id));
        }

        [Fact]
        public void TornTailIsDropped()
        {
            (FlashStore store, string name, long first, _) = TwoMessagesInOneSegment();
            byte[] bytes = store.Bytes(name);
            store.Put(name, bytes[..^7]);
            var log = new ListLog();
            var spool = SpoolFixture.Open(store, log);
            Assert.Equal(new[] { first }, spool.Messages().Select(m => m.Id).ToArray());
            Assert.Contains(log.Lines, l => l.Contains("torn record (an interrupted write)"));
            Assert.Contains(log.Lines, l => l.Contains("dropped uncommitted message"));
            Assert.Equal(1, spool.DroppedMessages);
            Assert.False(spool.Damaged);
        }

        [Fact]
        public void BadMagicIsDropped()
        {
            (FlashStore store, string name, long first, _) = TwoMessagesInOneSegment();
            byte[] bytes = store.Bytes(name);
            bytes[SecondEnvelopeOffset(bytes)] = 0x00;
            store.Put(name, bytes);
            var log = new ListLog();
            var spool = SpoolFixture.Open(store, log);
            Assert.Equal(new[] { first }, spool.Messages().Select(m => m.Id).ToArray());
            Assert.Contains(log.Lines, l => l.Contains("bad magic"));
        }

        [Fact]
        public void UnknownFormatVersionKeepsTheSegmentUntouched()
        {
            (FlashStore store, string name, _, _) = TwoMessagesInOneSegment();
            byte[] bytes = store.Bytes(name);
            bytes[Record.HeaderSize] = 2;
            byte[] header = bytes.Take(Record.HeaderSize + Record.SegmentHeaderPayload).ToArray();
            Record.PutU32(header, 0, 0);
            byte[] crc = new byte[4];
            Record.PutU32(crc, 0, Crc32.Compute(bytes.ToArray(), 0, Record.HeaderSize + Record.SegmentHeaderPayload));
            for (int i = 0; i < 4; i++)
            {
                bytes[Record.HeaderSize + Record.SegmentHeaderPayload + i] = crc[i];
            }

            store.Put(name, bytes);
            byte[] before = bytes.ToArray();
            var log = new ListLog();
            var spool = SpoolFixture.Open(store, log);
            Assert.Empty(spool.Messages());
            Assert.True(spool.Damaged);
            Assert.Contains(log.Lines, l => l.Contains("format version 2 is not 1"));
            Assert.True(Receive(spool.CreateSink(), Envelope("a@lan", "b@x"), Content(10, 1)) > 0);
            Assert.True(spool.Sync());
            Assert.Equal(before, store.Bytes(name));
        }

        [Fact]
        public void ForeignFilesAreIgnoredAndLogged()
        {
            var store = new FlashStore();
            store.Put("README.TXT", Encoding.ASCII.GetBytes("not a segment"));
            var log = new ListLog();
            var spool = SpoolFixture.Open(store, log);
            Assert.False(spool.Damaged);
            Assert.Contains(log.Lines, l => l.Contains("ignoring foreign file README.TXT"));
        }

        private static (FlashStore Store, string Name, long First, long Second) TwoMessagesInOneSegment()
        {
            var store = new FlashStore();
            var spool = SpoolFixture.Open(store, segmentSize: 65536);
            long first = Receive(spool.CreateSink(), Envelope("a@lan", "b@x"), Content(600, 1));
            long second = Receive(spool.CreateSink(), Envelope("c@lan", "d@x"), Content(600, 2));
            return (store, store.Names.Single(name => !QueueIdCounter.Owns(name)), first, second);
        }

        /// <summary>Walks the records by their headers to the second envelope record.</summary>
        private static int SecondEnvelopeOffset(byte[] all)
        {
            int at = 0;
            int envelopes = 0;
            while (true)
            {
                if (all[at + 2] == Record.Envelope && ++envelopes == 2)
                {
                    return at;
                }

                at += Record.Overhead + (int)Record.GetU32(all, at + 4);
            }
        }
    }
}

using Emailcore.Nano.Dns;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Dns
{
    /// <summary>RFC 1035 codec: the query on the wire, and every way a response can be malformed or not ours.</summary>
    public sealed class DnsMessageTests
    {
        private const int Id = 0x1234;

        [Fact]
        public void QueryIsRecursiveAsksForAdWithOneQuestionAndAnEdnsOptRecord()
        {
            var buffer = new byte[DnsMessage.MaxQueryLength];
            int n = DnsMessage.WriteQuery(buffer, 0, 0xBEEF, NameOf("Mail.Example.COM."), RecordType.Mx, 1232);
            byte[] expected = new DnsPacket().Header(0xBEEF, 0x0120, 1, 0, 0, 1).Question("mail.example.com", RecordType.Mx)
                .Raw(0).U16(41).U16(1232).U32(0).U16(0).ToArray();
            Assert.Equal(expected, buffer[..n]);
        }

        [Fact]
        public void QueryWithoutEdnsHasNoAdditionalRecord()
        {
            var buffer = new byte[DnsMessage.MaxQueryLength + 2];
            int n = DnsMessage.WriteQuery(buffer, 2, 7, NameOf("example.com"), RecordType.A, 0);
            Assert.Equal(new DnsPacket().Header(7, 0x0120, 1, 0, 0, 0).Question("example.com", RecordType.A).ToArray(), buffer[2..(2 + n)]);
        }

        [Theory]
        [InlineData(0x81A0, true)]
        [InlineData(0x8180, false)]
        public void ReadsTheAdBitAsTheResolverSetIt(int flags, bool authentic)
        {
            byte[] packet = new DnsPacket().Header(Id, flags, 1, 0, 0, 0).Question("_25._tcp.mx.example.com", RecordType.Tlsa).ToArray();
            Assert.Equal(authentic, Parse(packet, "_25._tcp.mx.example.com", RecordType.Tlsa).AuthenticData);
        }

        [Fact]
        public void ParsesCompressedMxAnswer()
        {
            // The exchange "mx.example.com" reuses the question's "example.com" through a pointer to offset 12.
            byte[] packet = DnsPacket.Response(Id, "example.com", RecordType.Mx, 1)
                .Pointer(12).RecordTail(RecordType.Mx, 3600, r => r.U16(10).Raw(2, (byte)'m', (byte)'x').Pointer(12)).ToArray();
            var message = Parse(packet, "EXAMPLE.com", RecordType.Mx);
            var record = new DnsRecord();
            message.ReadRecord(message.AnswerOffset, record);
            Assert.Equal("example.com", record.Owner.ToString());
            Assert.Equal(RecordType.Mx, record.Type);
            Assert.Equal(3600, record.Ttl);
            var exchange = new DnsName();
            message.ReadName(record.RdataOffset + 2, exchange);
            Assert.Equal("mx.example.com", exchange.ToString());
        }

        [Fact]
        public void QuestionEchoComparesNamesWithoutRegardToCase()
        {
            byte[] packet = DnsPacket.Response(Id, "ExAmPlE.CoM", RecordType.Mx, 0).ToArray();
            Assert.Equal(0, Parse(packet, "example.com", RecordType.Mx).AnswerCount);
        }

        [Fact]
        public void TtlWithTheTopBitSetCountsAsZero()
        {
            byte[] packet = DnsPacket.Response(Id, "example.com", RecordType.A, 1).ARecord("example.com", "192.0.2.1", 0x80000001).ToArray();
            var message = Parse(packet, "example.com", RecordType.A);
            var record = new DnsRecord();
            message.ReadRecord(message.AnswerOffset, record);
            Assert.Equal(0, record.Ttl);
        }

        [Fact]
        public void TruncatedFlagIsReported()
        {
            byte[] packet = DnsPacket.Response(Id, "example.com", RecordType.Mx, 0, truncated: true).ToArray();
            Assert.True(Parse(packet, "example.com", RecordType.Mx).Truncated);
        }

        public static TheoryData<string, byte[], string> Malformed() => new()
        {
            { "shorter than a header", new byte[] { 0x12, 0x34, 0x81 }, "shorter than a header" },
            { "cut inside the question", DnsPacket.Response(Id, "example.com", RecordType.Mx, 0).ToArray()[..20], "runs past the end" },
            { "question without type", DnsPacket.Response(Id, "example.com", RecordType.Mx, 0).ToArray()[..^3], "question is cut off" },
            { "answer count that lies", new DnsPacket().Header(Id, 0x8180, 1, 40, 0, 0).Question("example.com", RecordType.Mx).ToArray(), "counts 40/0/0 records but has only" },
            { "record cut after owner", DnsPacket.Response(Id, "example.com", RecordType.Mx, 1).Pointer(12).Raw(0, 15, 0, 1, 0, 0, 0, 0, 0).ToArray(), "record at offset 31 is cut off" },
            { "rdata longer than the packet", DnsPacket.Response(Id, "example.com", RecordType.A, 1).Pointer(12).U16(1).U16(1).U32(0).U16(200).Raw(1, 2, 3, 4).ToArray(), "rdata of 200 octets" },
            { "A rdata of 5 octets", DnsPacket.Response(Id, "example.com", RecordType.A, 1).Record("example.com", 1, 0, r => r.Raw(1, 2, 3, 4, 5)).ToArray(), "A rdata is not 4 octets" },
            { "AAAA rdata of 4 octets", DnsPacket.Response(Id, "example.com", RecordType.Aaaa, 1).Record("example.com", 28, 0, r => r.Raw(1, 2, 3, 4)).ToArray(), "AAAA rdata is not 16 octets" },
            { "MX name past its rdata", DnsPacket.Response(Id, "example.com", RecordType.Mx, 1).Record("example.com", 15, 0, r => r.U16(0).Raw(5, (byte)'a')).ToArray(), "runs past the end" },
            { "MX rdata with trailing bytes", DnsPacket.Response(Id, "example.com", RecordType.Mx, 1).Record("example.com", 15, 0, r => r.U16(0).Name("mx.example.com").Raw(0)).ToArray(), "MX rdata is not a preference and one name" },
            { "compression loop", DnsPacket.Response(Id, "example.com", RecordType.Mx, 1).Raw(1, (byte)'a').Pointer(29).RecordTail(15, 0, r => r.U16(0).Name("")).ToArray(), "does not point backwards" },
            { "pointer to itself", DnsPacket.Response(Id, "example.com", RecordType.Mx, 1).Pointer(29).RecordTail(15, 0, r => r.U16(0).Name("x")).ToArray(), "does not point backwards" },
            { "forward pointer", DnsPacket.Response(Id, "example.com", RecordType.Mx, 1).Pointer(40).RecordTail(15, 0, r => r.U16(0).Name("mx.example.com")).ToArray(), "does not point backwards" },
            { "pointer cut in half", DnsPacket.Response(Id, "example.com", RecordType.Mx, 1).Raw(0xC0).ToArray(), "compression pointer at offset 29 is cut off" },
            { "label of 64 octets", DnsPacket.Response(Id, "example.com", RecordType.Mx, 1).Raw(64).Raw(new byte[64]).Raw(0).U16(15).U16(1).U32(0).U16(0).ToArray(), "longer than 63 octets or of a reserved type" },
            { "name of 256 octets", DnsPacket.Response(Id, "example.com", RecordType.Mx, 1).Name(LongName(5)).U16(15).U16(1).U32(0).U16(0).ToArray(), "longer than 255 octets" },
            { "dot inside a label", DnsPacket.Response(Id, "example.com", RecordType.Mx, 1).Raw(3, (byte)'a', (byte)'.', (byte)'b', 0).U16(15).U16(1).U32(0).U16(0).ToArray(), "is a dot" },
        };

        [Theory]
        [MemberData(nameof(Malformed))]
        public void MalformedResponseIsAClearError(string what, byte[] packet, string expected)
        {
            var e = Assert.Throws<DnsException>(() => Parse(packet, "example.com", TypeOf(packet)));
            Assert.False(e is DnsMismatchException, what);
            Assert.Contains(expected, e.Message);
        }

        [Fact]
        public void PointerChainsLongerThanTheHopLimitAreRefused()
        {
            // Seventeen pointers each one step further back, kept in the rdata of an unknown type: no loop, but too many hops.
            var packet = DnsPacket.Response(Id, "example.com", RecordType.Mx, 2);
            int last = 0;
            packet.Pointer(12).RecordTail(99, 0, r =>
            {
                int first = r.Length;
                r.Raw(1, (byte)'a', 0);
                for (int i = 0; i < 17; i++)
                {
                    last = r.Length;
                    r.Raw(1, (byte)'a').Pointer(i == 0 ? first : last - 4);
                }
            });
            packet.Pointer(last).U16(15).U16(1).U32(0).U16(3).U16(0).Raw(0);
            var e = Assert.Throws<DnsException>(() => Parse(packet.ToArray(), "example.com", RecordType.Mx));
            Assert.Contains("more than 16 compression pointers", e.Message);
        }

        public static TheoryData<string, byte[], string> NotOurs() => new()
        {
            { "wrong ID", DnsPacket.Response(Id + 1, "example.com", RecordType.Mx, 0).ToArray(), "response ID 4661 does not match query ID 4660" },
            { "a query", new DnsPacket().Header(Id, 0x0100, 1, 0, 0, 0).Question("example.com", RecordType.Mx).ToArray(), "QR clear" },
            { "wrong name", DnsPacket.Response(Id, "example.org", RecordType.Mx, 0).ToArray(), "example.org MX does not echo example.com MX" },
            { "wrong type", DnsPacket.Response(Id, "example.com", RecordType.A, 0).ToArray(), "example.com A does not echo example.com MX" },
            { "wrong class", new DnsPacket().Header(Id, 0x8180, 1, 0, 0, 0).Name("example.com").U16(15).U16(3).ToArray(), "does not echo" },
        };

        [Theory]
        [MemberData(nameof(NotOurs))]
        public void ResponseToAnotherQuestionIsAMismatch(string what, byte[] packet, string expected)
        {
            var e = Assert.Throws<DnsMismatchException>(() => Parse(packet, "example.com", RecordType.Mx));
            Assert.Contains(expected, e.Message + " (" + what + ")");
        }

        [Fact]
        public void OtherOpcodeAndQuestionCountAreRefused()
        {
            byte[] notify = new DnsPacket().Header(Id, 0x8180 | (4 << 11), 1, 0, 0, 0).Question("example.com", RecordType.Mx).ToArray();
            Assert.Contains("OPCODE 4", Assert.Throws<DnsException>(() => Parse(notify, "example.com", RecordType.Mx)).Message);
            byte[] two = new DnsPacket().Header(Id, 0x8180, 2, 0, 0, 0).Question("example.com", RecordType.Mx).Question("example.com", RecordType.Mx).ToArray();
            Assert.Contains("2 questions", Assert.Throws<DnsException>(() => Parse(two, "example.com", RecordType.Mx)).Message);
        }

        [Theory]
        [InlineData("a..b")]
        [InlineData("bad name")]
        [InlineData("ünï.example")]
        public void NamesThatCannotBeAskedAreRefused(string name)
        {
            Assert.Throws<DnsException>(() => NameOf(name));
        }

        [Fact]
        public void NameLimitsAreTheRfcOnes()
        {
            NameOf(new string('a', 63) + ".example");
            Assert.Throws<DnsException>(() => NameOf(new string('a', 64) + ".example"));
            NameOf(LongName(4).TrimEnd('.')[..253]);
            Assert.Throws<DnsException>(() => NameOf(LongName(4)[..254]));
        }

        internal static DnsName NameOf(string text)
        {
            var name = new DnsName();
            name.Set(text);
            return name;
        }

        private static string LongName(int labels)
        {
            string name = string.Empty;
            for (int i = 0; i < labels; i++)
            {
                name += new string((char)('a' + i), 63) + ".";
            }

            return name;
        }

        private static int TypeOf(byte[] packet)
        {
            // The question type sits after the question name "example.com" at offset 12 (13 octets).
            return packet.Length >= 27 ? (packet[25] << 8) | packet[26] : RecordType.Mx;
        }

        private static DnsMessage Parse(byte[] packet, string name, int type)
        {
            var message = new DnsMessage();
            message.Parse(packet, packet.Length, Id, NameOf(name), type);
            return message;
        }
    }
}

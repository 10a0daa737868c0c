namespace Emailcore.Nano.Dns
{
    /// <summary>
    /// RFC 1035 §4 messages over the caller's buffer: writes a query, and checks a response from end to end
    /// (header, counts, every name and rdata length) before anything reads its records.
    /// </summary>
    public sealed class DnsMessage
    {
        public const int HeaderLength = 12;

        /// <summary>RFC 1035 §2.3.4: the UDP payload without EDNS.</summary>
        public const int ClassicUdpSize = 512;

        /// <summary>The DNS Flag Day 2020 size: no IP fragmentation on common paths (RFC 6891 §6.2.5).</summary>
        public const int MaxEdnsUdpSize = 1232;

        /// <summary>Header, a 255-octet name, type and class, and an OPT record.</summary>
        public const int MaxQueryLength = HeaderLength + DnsName.MaxWireLength + 4 + 11;

        private const int MinQuestionLength = 5;
        private const int MinRecordLength = 11;

        private readonly DnsName _scratch = new DnsName();
        private byte[] _buffer;
        private int _length;
        private int _answerOffset;
        private int _authorityOffset;

        public int Id { get; private set; }

        public bool Truncated { get; private set; }

        /// <summary>RFC 4035 §3.2.3 AD: the (validating) resolver says every answer and authority record is authentic.</summary>
        public bool AuthenticData
        {
            get { return (_buffer[3] & 0x20) != 0; }
        }

        public int Rcode { get; private set; }

        public int AnswerCount { get; private set; }

        public int AuthorityCount { get; private set; }

        public int AnswerOffset
        {
            get { return _answerOffset; }
        }

        public int AuthorityOffset
        {
            get { return _authorityOffset; }
        }

        public byte[] Buffer
        {
            get { return _buffer; }
        }

        /// <summary>
        /// Writes a recursive query for one name and type; with <paramref name="ednsUdpSize"/> above zero it
        /// carries an RFC 6891 OPT record offering that UDP payload size. Returns the length.
        /// </summary>
        public static int WriteQuery(byte[] into, int offset, int id, DnsName name, int type, int ednsUdpSize)
        {
            WriteShort(into, offset, id);
            // RFC 1035 §4.1.1: QR=0, OPCODE=0 (QUERY), RD=1; RFC 6840 §5.7: AD=1 asks for the AD bit in the answer.
            into[offset + 2] = 0x01;
            into[offset + 3] = 0x20;
            WriteShort(into, offset + 4, 1);
            WriteShort(into, offset + 6, 0);
            WriteShort(into, offset + 8, 0);
            WriteShort(into, offset + 10, ednsUdpSize > 0 ? 1 : 0);
            int p = offset + HeaderLength + name.WriteWire(into, offset + HeaderLength);
            WriteShort(into, p, type);
            WriteShort(into, p + 2, RecordType.ClassIn);
            p += 4;
            if (ednsUdpSize > 0)
            {
                // RFC 6891 §6.1.2: root owner, TYPE OPT, CLASS = UDP payload size, TTL = extended RCODE/version/flags 0, no options.
                into[p] = 0;
                WriteShort(into, p + 1, RecordType.Opt);
                WriteShort(into, p + 3, ednsUdpSize);
                for (int i = 5; i < 11; i++)
                {
                    into[p + i] = 0;
                }

                p += 11;
            }

            return p - offset;
        }

        /// <summary>
        /// Checks that the buffer answers the query (<paramref name="id"/>, one question echoing
        /// <paramref name="name"/>, <paramref name="type"/> and class IN, QR set, OPCODE QUERY) and that every
        /// section is well formed. Throws <see cref="DnsMismatchException"/> when it answers something else
        /// (RFC 5452 §9.1: possibly spoofed, so the caller keeps waiting) and <see cref="DnsException"/> when it is malformed.
        /// </summary>
        public void Parse(byte[] buffer, int length, int id, DnsName name, int type)
        {
            _buffer = buffer;
            _length = length;
            if (length < HeaderLength)
            {
                throw new DnsException("response of " + length.ToString() + " octets is shorter than a header");
            }

            Id = ReadShort(buffer, 0);
            if (Id != id)
            {
                throw new DnsMismatchException("response ID " + Id.ToString() + " does not match query ID " + id.ToString());
            }

            int flags = ReadShort(buffer, 2);
            if ((flags & 0x8000) == 0)
            {
                throw new DnsMismatchException("message is a query, not a response (QR clear)");
            }

            if (((flags >> 11) & 0xF) != 0)
            {
                throw new DnsException("response has OPCODE " + ((flags >> 11) & 0xF).ToString() + ", not QUERY");
            }

            Truncated = (flags & 0x0200) != 0;
            Rcode = flags & 0xF;
            int questions = ReadShort(buffer, 4);
            AnswerCount = ReadShort(buffer, 6);
            AuthorityCount = ReadShort(buffer, 8);
            int additional = ReadShort(buffer, 10);
            if (questions != 1)
            {
                throw new DnsException("response has " + questions.ToString() + " questions, not the 1 asked");
            }

            // Counts that lie: even minimal entries for them cannot fit in what arrived.
            long least = (long)questions * MinQuestionLength + (long)(AnswerCount + AuthorityCount + additional) * MinRecordLength;
            if (least > length - HeaderLength)
            {
                throw new DnsException("response counts " + AnswerCount.ToString() + "/" + AuthorityCount.ToString() + "/" + additional.ToString() + " records but has only " + length.ToString() + " octets");
            }

            int p = _scratch.Read(buffer, length, HeaderLength);
            if (p + 4 > length)
            {
                throw new DnsException("question is cut off");
            }

            if (!_scratch.SameAs(name) || ReadShort(buffer, p) != type || ReadShort(buffer, p + 2) != RecordType.ClassIn)
            {
                throw new DnsMismatchException("response question " + _scratch.ToString() + " " + RecordType.Name(ReadShort(buffer, p)) + " does not echo " + name.ToString() + " " + RecordType.Name(type));
            }

            p += 4;
            _answerOffset = p;
            p = SkipRecords(p, AnswerCount);
            _authorityOffset = p;
            p = SkipRecords(p, AuthorityCount);
            SkipRecords(p, additional);
        }

        /// <summary>Reads the record at <paramref name="offset"/> (already checked by Parse) and returns the offset of the next.</summary>
        public int ReadRecord(int offset, DnsRecord into)
        {
            int p = into.Owner.Read(_buffer, _length, offset);
            into.Type = ReadShort(_buffer, p);
            into.Class = ReadShort(_buffer, p + 2);
            int ttl = (ReadShort(_buffer, p + 4) << 16) | ReadShort(_buffer, p + 6);
            into.Ttl = ttl < 0 ? 0 : ttl;
            into.RdataLength = ReadShort(_buffer, p + 8);
            into.RdataOffset = p + 10;
            return p + 10 + into.RdataLength;
        }

        /// <summary>Reads a name inside rdata (MX exchange, CNAME target, SOA names) with the same checks as any other.</summary>
        public int ReadName(int offset, DnsName into)
        {
            return into.Read(_buffer, _length, offset);
        }

        public static int ReadShort(byte[] buffer, int offset)
        {
            return (buffer[offset] << 8) | buffer[offset + 1];
        }

        public static void WriteShort(byte[] buffer, int offset, int value)
        {
            buffer[offset] = (byte)(value >> 8);
            buffer[offset + 1] = (byte)value;
        }

        private int SkipRecords(int offset, int count)
        {
            int p = offset;
            for (int i = 0; i < count; i++)
            {
                p = _scratch.Read(_buffer, _length, p);
                if (p + 10 > _length)
                {
                    throw new DnsException("record at offset " + p.ToString() + " is cut off");
                }

                int type = ReadShort(_buffer, p);
                int rdlength = ReadShort(_buffer, p + 8);
                p += 10;
                if (p + rdlength > _length)
                {
                    throw new DnsException("rdata of " + rdlength.ToString() + " octets at offset " + p.ToString() + " runs past the end of the message");
                }

                CheckRdata(type, p, rdlength);
                p += rdlength;
            }

            return p;
        }

        // RFC 1035 §3.3, RFC 3596 §2.2: the rdata of the types the resolver reads must have their exact shapes.
        private void CheckRdata(int type, int offset, int length)
        {
            int end = offset + length;
            switch (type)
            {
                case RecordType.A:
                    Expect(length == 4, "A rdata is not 4 octets");
                    break;
                case RecordType.Aaaa:
                    Expect(length == 16, "AAAA rdata is not 16 octets");
                    break;
                case RecordType.Cname:
                    Expect(_scratch.Read(_buffer, end, offset) == end, "CNAME rdata is not exactly one name");
                    break;
                case RecordType.Mx:
                    Expect(length >= 3 && _scratch.Read(_buffer, end, offset + 2) == end, "MX rdata is not a preference and one name");
                    break;
                case RecordType.Soa:
                    int p = _scratch.Read(_buffer, end, offset);
                    p = _scratch.Read(_buffer, end, p);
                    Expect(p + 20 == end, "SOA rdata is not two names and five numbers");
                    break;
            }
        }

        private static void Expect(bool condition, string problem)
        {
            if (!condition)
            {
                throw new DnsException(problem);
            }
        }
    }
}

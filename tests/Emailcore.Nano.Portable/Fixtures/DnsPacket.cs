#nullable disable
using Emailcore.Nano.Dns;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>Writes the rdata of a record being built.</summary>
    public delegate void RdataWriter(DnsPacket packet);

    /// <summary>Builds DNS messages byte by byte for fixtures, including the malformed ones a decoder must refuse.</summary>
    public sealed class DnsPacket
    {
        private readonly ByteBuffer _bytes = new ByteBuffer(128);

        public int Length
        {
            get { return _bytes.Length; }
        }

        /// <summary>A response header (QR, RD, RA set) and the question echoed.</summary>
        public static DnsPacket Response(int id, string name, int type, int answers, int authority = 0, int rcode = 0, bool truncated = false)
        {
            return new DnsPacket().Header(id, 0x8180 | rcode | (truncated ? 0x0200 : 0), 1, answers, authority, 0).Question(name, type);
        }

        public DnsPacket Header(int id, int flags, int questions, int answers, int authority, int additional)
        {
            return U16(id).U16(flags).U16(questions).U16(answers).U16(authority).U16(additional);
        }

        public DnsPacket Question(string name, int type)
        {
            return Name(name).U16(type).U16(1);
        }

        /// <summary>Uncompressed labels and the final zero; "" or "." is the root.</summary>
        public DnsPacket Name(string dotted)
        {
            int start = 0;
            while (start < dotted.Length)
            {
                int dot = dotted.IndexOf('.', start);
                int end = dot < 0 ? dotted.Length : dot;
                if (end > start)
                {
                    _bytes.Append(new byte[] { (byte)(end - start) });
                    _bytes.Append(Ascii.GetBytes(dotted.Substring(start, end - start)));
                }

                start = end + 1;
            }

            _bytes.Append(new byte[1]);
            return this;
        }

        public DnsPacket Pointer(int offset)
        {
            return U16(0xC000 | offset);
        }

        public DnsPacket U16(int value)
        {
            _bytes.Append(new byte[] { (byte)(value >> 8), (byte)value });
            return this;
        }

        public DnsPacket U32(uint value)
        {
            return U16((int)(value >> 16)).U16((int)(value & 0xFFFF));
        }

        public DnsPacket Raw(params byte[] bytes)
        {
            _bytes.Append(bytes);
            return this;
        }

        /// <summary>A record with an uncompressed owner; <paramref name="rdata"/> writes the rdata and its length is filled in.</summary>
        public DnsPacket Record(string owner, int type, uint ttl, RdataWriter rdata)
        {
            return Name(owner).RecordTail(type, ttl, rdata);
        }

        /// <summary>The type, class, TTL and rdata of a record whose owner was just written.</summary>
        public DnsPacket RecordTail(int type, uint ttl, RdataWriter rdata)
        {
            U16(type).U16(1).U32(ttl);
            int at = _bytes.Length;
            U16(0);
            rdata(this);
            int length = _bytes.Length - at - 2;
            _bytes[at] = (byte)(length >> 8);
            _bytes[at + 1] = (byte)length;
            return this;
        }

        public DnsPacket MxRecord(string owner, int preference, string exchange, uint ttl = 300)
        {
            return Record(owner, RecordType.Mx, ttl, delegate(DnsPacket r) { r.U16(preference).Name(exchange); });
        }

        public DnsPacket ARecord(string owner, string address, uint ttl = 300)
        {
            var parsed = new Endpoint();
            if (!Endpoint.TryParseAddress(address, parsed))
            {
                throw new System.ArgumentException(address);
            }

            var bytes = new byte[parsed.AddressLength];
            parsed.CopyAddressTo(bytes, 0);
            return Record(owner, parsed.IsIPv6 ? RecordType.Aaaa : RecordType.A, ttl, delegate(DnsPacket r) { r.Raw(bytes); });
        }

        public DnsPacket CnameRecord(string owner, string target, uint ttl = 300)
        {
            return Record(owner, RecordType.Cname, ttl, delegate(DnsPacket r) { r.Name(target); });
        }

        /// <summary>An SOA for negative answers: RFC 2308 §5 uses min(its TTL, MINIMUM).</summary>
        public DnsPacket SoaRecord(string owner, uint ttl, uint minimum)
        {
            return Record(owner, RecordType.Soa, ttl, delegate(DnsPacket r) { r.Name("ns." + owner).Name("hostmaster." + owner).U32(1).U32(3600).U32(600).U32(86400).U32(minimum); });
        }

        public byte[] ToArray()
        {
            return _bytes.ToArray();
        }
    }
}

using System;
using System.Collections.Generic;
using System.Text;
using Emailcore.Nano.Dns;

namespace Emailcore.Nano.Tests.Dns
{
    /// <summary>Builds DNS messages byte by byte for fixtures, including the malformed ones a decoder must refuse.</summary>
    public sealed class DnsPacket
    {
        private readonly List<byte> _bytes = new();

        public int Length => _bytes.Count;

        /// <summary>A response header (QR, RD, RA set) and the question echoed.</summary>
        public static DnsPacket Response(int id, string name, int type, int answers, int authority = 0, int rcode = 0, bool truncated = false) =>
            new DnsPacket().Header(id, 0x8180 | rcode | (truncated ? 0x0200 : 0), 1, answers, authority, 0).Question(name, type);

        public DnsPacket Header(int id, int flags, int questions, int answers, int authority, int additional) =>
            U16(id).U16(flags).U16(questions).U16(answers).U16(authority).U16(additional);

        public DnsPacket Question(string name, int type) => Name(name).U16(type).U16(1);

        /// <summary>Uncompressed labels and the final zero; "" or "." is the root.</summary>
        public DnsPacket Name(string dotted)
        {
            foreach (string label in dotted.Split('.', StringSplitOptions.RemoveEmptyEntries))
            {
                _bytes.Add((byte)label.Length);
                _bytes.AddRange(Encoding.ASCII.GetBytes(label));
            }

            _bytes.Add(0);
            return this;
        }

        public DnsPacket Pointer(int offset) => U16(0xC000 | offset);

        public DnsPacket U16(int value)
        {
            _bytes.Add((byte)(value >> 8));
            _bytes.Add((byte)value);
            return this;
        }

        public DnsPacket U32(uint value) => U16((int)(value >> 16)).U16((int)(value & 0xFFFF));

        public DnsPacket Raw(params byte[] bytes)
        {
            _bytes.AddRange(bytes);
            return this;
        }

        /// <summary>A record with an uncompressed owner; <paramref name="rdata"/> writes the rdata and its length is filled in.</summary>
        public DnsPacket Record(string owner, int type, uint ttl, Action<DnsPacket> rdata) => Name(owner).RecordTail(type, ttl, rdata);

        /// <summary>The type, class, TTL and rdata of a record whose owner was just written.</summary>
        public DnsPacket RecordTail(int type, uint ttl, Action<DnsPacket> rdata)
        {
            U16(type).U16(1).U32(ttl);
            int at = _bytes.Count;
            U16(0);
            rdata(this);
            int length = _bytes.Count - at - 2;
            _bytes[at] = (byte)(length >> 8);
            _bytes[at + 1] = (byte)length;
            return this;
        }

        public DnsPacket MxRecord(string owner, int preference, string exchange, uint ttl = 300) =>
            Record(owner, RecordType.Mx, ttl, r => r.U16(preference).Name(exchange));

        public DnsPacket ARecord(string owner, string address, uint ttl = 300) =>
            Record(owner, address.Contains(':') ? RecordType.Aaaa : RecordType.A, ttl, r => r.Raw(System.Net.IPAddress.Parse(address).GetAddressBytes()));

        public DnsPacket CnameRecord(string owner, string target, uint ttl = 300) => Record(owner, RecordType.Cname, ttl, r => r.Name(target));

        /// <summary>An SOA for negative answers: RFC 2308 §5 uses min(its TTL, MINIMUM).</summary>
        public DnsPacket SoaRecord(string owner, uint ttl, uint minimum) =>
            Record(owner, RecordType.Soa, ttl, r => r.Name("ns." + owner).Name("hostmaster." + owner).U32(1).U32(3600).U32(600).U32(86400).U32(minimum));

        public byte[] ToArray() => _bytes.ToArray();
    }
}

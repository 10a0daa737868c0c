using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Dns
{
    /// <summary>
    /// A domain name held as lower-case dotted ASCII in a fixed buffer, without the trailing dot (the root is
    /// empty). Reading one from a message checks every bound, so a hostile packet cannot loop or overrun.
    /// </summary>
    public sealed class DnsName
    {
        /// <summary>RFC 1035 §2.3.4: at most 255 octets on the wire.</summary>
        public const int MaxWireLength = 255;

        /// <summary>RFC 1035 §2.3.4: at most 63 octets in a label.</summary>
        public const int MaxLabelLength = 63;

        /// <summary>Compression pointers followed in one name; each must also point before the last.</summary>
        public const int MaxPointerHops = 16;

        private readonly byte[] _text = new byte[MaxWireLength];

        /// <summary>Characters of dotted text, 0 for the root.</summary>
        public int Length { get; private set; }

        public bool IsRoot
        {
            get { return Length == 0; }
        }

        public byte this[int index]
        {
            get { return _text[index]; }
        }

        /// <summary>Sets the name from text ("example.com" or "example.com."); throws <see cref="DnsException"/> when it cannot be a DNS name.</summary>
        public void Set(string name)
        {
            int length = name.Length;
            if (length > 0 && name[length - 1] == '.')
            {
                length--;
            }

            // Dotted text is one octet shorter than the wire form (no leading length, no final zero), less the root.
            if (length + 2 > MaxWireLength)
            {
                throw new DnsException("name \"" + name + "\" is longer than 255 octets");
            }

            int labelStart = 0;
            for (int i = 0; i <= length; i++)
            {
                if (i == length || name[i] == '.')
                {
                    int label = i - labelStart;
                    if ((label == 0 && length > 0) || label > MaxLabelLength)
                    {
                        throw new DnsException("name \"" + name + "\" has an empty label or one longer than 63 octets");
                    }

                    if (i < length)
                    {
                        _text[i] = (byte)'.';
                    }

                    labelStart = i + 1;
                    continue;
                }

                char c = name[i];
                if (c <= ' ' || c >= 0x7F)
                {
                    throw new DnsException("name \"" + name + "\" has a character that is not printable ASCII");
                }

                _text[i] = Ascii.ToLower((byte)c);
            }

            Length = length;
        }

        /// <summary>
        /// Sets the name of an address's PTR record: RFC 1035 §3.5 "d.c.b.a.in-addr.arpa" for IPv4, RFC 3596 §2.5
        /// the 32 nibbles in reverse order under "ip6.arpa" for IPv6.
        /// </summary>
        public void SetReverse(Endpoint address)
        {
            int p = 0;
            if (address.IsIPv6)
            {
                for (int i = 15; i >= 0; i--)
                {
                    int b = address.AddressByte(i);
                    p = Label(IPAddressText.HexDigit(b & 0xF), p);
                    p = Label(IPAddressText.HexDigit(b >> 4), p);
                }

                Length = p + Ascii.Copy("ip6.arpa", _text, p);
                return;
            }

            for (int i = 3; i >= 0; i--)
            {
                p += Ascii.FormatDecimal(address.AddressByte(i), _text, p);
                _text[p++] = (byte)'.';
            }

            Length = p + Ascii.Copy("in-addr.arpa", _text, p);
        }

        private int Label(byte nibble, int p)
        {
            _text[p] = nibble;
            _text[p + 1] = (byte)'.';
            return p + 2;
        }

        public void CopyFrom(DnsName other)
        {
            System.Array.Copy(other._text, 0, _text, 0, other.Length);
            Length = other.Length;
        }

        /// <summary>Sets the name from lower-case dotted bytes that an earlier name produced (a cache slot).</summary>
        public void SetBytes(byte[] source, int offset, int length)
        {
            System.Array.Copy(source, offset, _text, 0, length);
            Length = length;
        }

        public void CopyTo(byte[] destination, int offset)
        {
            System.Array.Copy(_text, 0, destination, offset, Length);
        }

        /// <summary>RFC 4343: names compare without regard to ASCII case (both sides are kept in lower case).</summary>
        public bool SameAs(DnsName other)
        {
            return Matches(other._text, 0, other.Length);
        }

        public bool Matches(byte[] bytes, int offset, int length)
        {
            if (length != Length)
            {
                return false;
            }

            for (int i = 0; i < length; i++)
            {
                if (_text[i] != bytes[offset + i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>RFC 1035 §3.1: writes the name as length-prefixed labels and a zero octet; returns the bytes written.</summary>
        public int WriteWire(byte[] into, int offset)
        {
            int p = offset;
            int labelStart = 0;
            for (int i = 0; i <= Length; i++)
            {
                if (i == Length || _text[i] == '.')
                {
                    int label = i - labelStart;
                    if (label > 0)
                    {
                        into[p++] = (byte)label;
                        System.Array.Copy(_text, labelStart, into, p, label);
                        p += label;
                    }

                    labelStart = i + 1;
                }
            }

            into[p++] = 0;
            return p - offset;
        }

        /// <summary>
        /// RFC 1035 §4.1.4: reads a possibly compressed name at <paramref name="offset"/> and returns the offset
        /// just after it in the message. Every pointer must lead before the bytes already read (no loops, no
        /// forward pointers) and at most <see cref="MaxPointerHops"/> are followed.
        /// </summary>
        public int Read(byte[] message, int length, int offset)
        {
            int p = offset;
            int segmentStart = offset;
            int end = -1;
            int hops = 0;
            int wire = 1;
            Length = 0;
            while (true)
            {
                if (p >= length)
                {
                    throw new DnsException("name at offset " + offset.ToString() + " runs past the end of the message");
                }

                int b = message[p];
                if ((b & 0xC0) == 0xC0)
                {
                    if (p + 1 >= length)
                    {
                        throw new DnsException("compression pointer at offset " + p.ToString() + " is cut off");
                    }

                    int target = ((b & 0x3F) << 8) | message[p + 1];
                    if (target >= segmentStart)
                    {
                        throw new DnsException("compression pointer at offset " + p.ToString() + " does not point backwards");
                    }

                    if (++hops > MaxPointerHops)
                    {
                        throw new DnsException("name at offset " + offset.ToString() + " follows more than 16 compression pointers");
                    }

                    if (end < 0)
                    {
                        end = p + 2;
                    }

                    p = target;
                    segmentStart = target;
                    continue;
                }

                if ((b & 0xC0) != 0)
                {
                    throw new DnsException("label at offset " + p.ToString() + " is longer than 63 octets or of a reserved type");
                }

                if (b == 0)
                {
                    return end < 0 ? p + 1 : end;
                }

                if (p + 1 + b > length)
                {
                    throw new DnsException("label at offset " + p.ToString() + " runs past the end of the message");
                }

                wire += b + 1;
                if (wire > MaxWireLength)
                {
                    throw new DnsException("name at offset " + offset.ToString() + " is longer than 255 octets");
                }

                if (Length > 0)
                {
                    _text[Length++] = (byte)'.';
                }

                for (int i = 1; i <= b; i++)
                {
                    byte c = message[p + i];
                    // A dot or a control byte inside a label has no place in a mail host name and would make the dotted form ambiguous.
                    if (c == '.' || c <= ' ' || c >= 0x7F)
                    {
                        throw new DnsException("label at offset " + p.ToString() + " holds a byte that is not printable ASCII or is a dot");
                    }

                    _text[Length++] = Ascii.ToLower(c);
                }

                p += 1 + b;
            }
        }

        public override string ToString()
        {
            return Length == 0 ? "." : Ascii.GetString(_text, 0, Length);
        }
    }
}

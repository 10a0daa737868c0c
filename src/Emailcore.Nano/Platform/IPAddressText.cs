using Emailcore.Nano.Text;

namespace Emailcore.Nano.Platform
{
    /// <summary>Textual IPv4 and IPv6 addresses over byte buffers, so wire parsing need not allocate.</summary>
    public static class IPAddressText
    {
        /// <summary>Longest formatted address: IPv6 with an embedded IPv4 tail.</summary>
        public const int MaxLength = 45;

        public static bool TryParse(byte[] text, int offset, int length, Endpoint into)
        {
            byte[] address = new byte[16];
            return TryParse(text, offset, length, into, address);
        }

        /// <summary>Parses into <paramref name="into"/> using the caller's 16-byte scratch buffer; allocates nothing.</summary>
        public static bool TryParse(byte[] text, int offset, int length, Endpoint into, byte[] scratch16)
        {
            if (length <= 0)
            {
                return false;
            }

            for (int i = 0; i < length; i++)
            {
                if (text[offset + i] == ':')
                {
                    if (!TryParseV6(text, offset, length, scratch16))
                    {
                        return false;
                    }

                    into.SetAddress(scratch16, 0, 16);
                    return true;
                }
            }

            if (!TryParseV4(text, offset, length, scratch16, 0))
            {
                return false;
            }

            into.SetAddress(scratch16, 0, 4);
            return true;
        }

        /// <summary>RFC 5321 §4.1.3 IPv4-address-literal body: four decimal octets, no leading zeros beyond "0".</summary>
        public static bool TryParseV4(byte[] text, int offset, int length, byte[] into, int intoOffset)
        {
            int end = offset + length;
            int p = offset;
            for (int part = 0; part < 4; part++)
            {
                if (part > 0)
                {
                    if (p >= end || text[p] != '.')
                    {
                        return false;
                    }

                    p++;
                }

                int start = p;
                int value = 0;
                while (p < end && text[p] >= '0' && text[p] <= '9' && p - start < 3)
                {
                    value = value * 10 + (text[p] - '0');
                    p++;
                }

                if (p == start || value > 255 || (p - start > 1 && text[start] == '0'))
                {
                    return false;
                }

                into[intoOffset + part] = (byte)value;
            }

            return p == end;
        }

        // RFC 4291 §2.2 text forms, as RFC 5321 §4.1.3 IPv6-addr allows: full, "::"-compressed, and an IPv4 tail.
        private static bool TryParseV6(byte[] text, int offset, int length, byte[] into)
        {
            int end = offset + length;
            int p = offset;
            int word = 0;
            int gap = -1;
            if (length >= 2 && text[p] == ':' && text[p + 1] == ':')
            {
                gap = 0;
                p += 2;
                if (p == end)
                {
                    for (int i = 0; i < 16; i++)
                    {
                        into[i] = 0;
                    }

                    return true;
                }
            }

            while (p < end)
            {
                if (word == 8)
                {
                    return false;
                }

                int start = p;
                int value = 0;
                while (p < end && p - start < 4 && HexValue(text[p]) >= 0)
                {
                    value = (value << 4) | HexValue(text[p]);
                    p++;
                }

                if (p < end && text[p] == '.')
                {
                    // An IPv4 tail takes the last two words.
                    if (word > 6 || !TryParseV4(text, start, end - start, into, word * 2))
                    {
                        return false;
                    }

                    word += 2;
                    p = end;
                    break;
                }

                if (p == start)
                {
                    return false;
                }

                into[word * 2] = (byte)(value >> 8);
                into[word * 2 + 1] = (byte)value;
                word++;
                if (p == end)
                {
                    break;
                }

                if (text[p] != ':')
                {
                    return false;
                }

                p++;
                if (p < end && text[p] == ':')
                {
                    if (gap >= 0)
                    {
                        return false;
                    }

                    gap = word;
                    p++;
                }
                else if (p == end)
                {
                    return false;
                }
            }

            if (gap < 0)
            {
                return word == 8;
            }

            if (word == 8)
            {
                return false;
            }

            int move = (word - gap) * 2;
            int shift = 16 - word * 2;
            for (int i = move - 1; i >= 0; i--)
            {
                into[gap * 2 + shift + i] = into[gap * 2 + i];
            }

            for (int i = 0; i < shift; i++)
            {
                into[gap * 2 + i] = 0;
            }

            return true;
        }

        /// <summary>Writes the address in RFC 5952 form and returns the number of bytes written.</summary>
        public static int Format(Endpoint address, byte[] into, int offset)
        {
            int p = offset;
            if (!address.IsIPv6)
            {
                for (int i = 0; i < 4; i++)
                {
                    if (i > 0)
                    {
                        into[p++] = (byte)'.';
                    }

                    p += Ascii.FormatDecimal(address.AddressByte(i), into, p);
                }

                return p - offset;
            }

            // RFC 5952 §4.2.3: compress the longest run of two or more zero words, the first one on a tie.
            int bestStart = -1;
            int bestLength = 1;
            for (int i = 0; i < 8;)
            {
                if (Word(address, i) != 0)
                {
                    i++;
                    continue;
                }

                int j = i;
                while (j < 8 && Word(address, j) == 0)
                {
                    j++;
                }

                if (j - i > bestLength)
                {
                    bestStart = i;
                    bestLength = j - i;
                }

                i = j;
            }

            for (int i = 0; i < 8; i++)
            {
                if (i == bestStart)
                {
                    into[p++] = (byte)':';
                    if (i == 0)
                    {
                        into[p++] = (byte)':';
                    }

                    i += bestLength - 1;
                    continue;
                }

                p += FormatHex(Word(address, i), into, p);
                if (i < 7)
                {
                    into[p++] = (byte)':';
                }
            }

            return p - offset;
        }

        private static int Word(Endpoint address, int index)
        {
            return (address.AddressByte(index * 2) << 8) | address.AddressByte(index * 2 + 1);
        }

        private static int FormatHex(int value, byte[] into, int offset)
        {
            int p = offset;
            bool started = false;
            for (int shift = 12; shift >= 0; shift -= 4)
            {
                int digit = (value >> shift) & 0xF;
                if (digit != 0 || started || shift == 0)
                {
                    into[p++] = HexDigit(digit);
                    started = true;
                }
            }

            return p - offset;
        }

        /// <summary>RFC 5952 §4.3: hexadecimal digits in lower case (also the nibbles of ip6.arpa names).</summary>
        public static byte HexDigit(int value)
        {
            return (byte)(value < 10 ? '0' + value : 'a' + value - 10);
        }

        private static int HexValue(byte c)
        {
            if (c >= '0' && c <= '9')
            {
                return c - '0';
            }

            if (c >= 'a' && c <= 'f')
            {
                return c - 'a' + 10;
            }

            if (c >= 'A' && c <= 'F')
            {
                return c - 'A' + 10;
            }

            return -1;
        }
    }
}

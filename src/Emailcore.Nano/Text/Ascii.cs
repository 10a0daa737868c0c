namespace Emailcore.Nano.Text
{
    /// <summary>
    /// US-ASCII helpers over byte buffers: SMTP, DNS and main.cf are ASCII protocols, and the board's
    /// mscorlib has no System.Text, so the core converts by hand.
    /// </summary>
    public static class Ascii
    {
        /// <summary>Bytes of an ASCII string; characters above 0x7F become '?'.</summary>
        public static byte[] GetBytes(string text)
        {
            byte[] bytes = new byte[text.Length];
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                bytes[i] = c < 0x80 ? (byte)c : (byte)'?';
            }

            return bytes;
        }

        /// <summary>Copies an ASCII string into a buffer; returns the count, or -1 when it does not fit.</summary>
        public static int Copy(string text, byte[] into, int offset)
        {
            if (offset + text.Length > into.Length)
            {
                return -1;
            }

            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                into[offset + i] = c < 0x80 ? (byte)c : (byte)'?';
            }

            return text.Length;
        }

        public static string GetString(byte[] bytes, int offset, int count)
        {
            char[] chars = new char[count];
            for (int i = 0; i < count; i++)
            {
                chars[i] = (char)bytes[offset + i];
            }

            return new string(chars);
        }

        public static byte ToLower(byte c)
        {
            return c >= 'A' && c <= 'Z' ? (byte)(c + 32) : c;
        }

        public static char ToLower(char c)
        {
            return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
        }

        /// <summary>Case-insensitive comparison of a byte range with an ASCII literal.</summary>
        public static bool EqualsIgnoreCase(byte[] bytes, int offset, int count, string literal)
        {
            if (count != literal.Length)
            {
                return false;
            }

            for (int i = 0; i < count; i++)
            {
                if (ToLower(bytes[offset + i]) != ToLower(literal[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public static bool EqualsIgnoreCase(string a, string b)
        {
            if (a.Length != b.Length)
            {
                return false;
            }

            for (int i = 0; i < a.Length; i++)
            {
                if (ToLower(a[i]) != ToLower(b[i]))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Parses an unsigned decimal no larger than <paramref name="max"/>; no sign, no spaces.</summary>
        public static bool TryParseDecimal(string text, long max, out long value)
        {
            value = 0;
            if (text == null || text.Length == 0 || text.Length > 19)
            {
                return false;
            }

            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c < '0' || c > '9')
                {
                    return false;
                }

                value = value * 10 + (c - '0');
                if (value > max)
                {
                    return false;
                }
            }

            return true;
        }

        public static bool TryParseDecimal(string text, int max, out int value)
        {
            long wide;
            bool ok = TryParseDecimal(text, (long)max, out wide);
            value = (int)wide;
            return ok;
        }

        /// <summary>True when <paramref name="count"/> &gt; 0 bytes are all ASCII digits.</summary>
        public static bool IsDigits(byte[] bytes, int offset, int count)
        {
            for (int i = 0; i < count; i++)
            {
                if (bytes[offset + i] < '0' || bytes[offset + i] > '9')
                {
                    return false;
                }
            }

            return count > 0;
        }

        /// <summary>Parses an unsigned decimal from bytes, as <see cref="TryParseDecimal(string,long,out long)"/>.</summary>
        public static bool TryParseDecimal(byte[] bytes, int offset, int count, long max, out long value)
        {
            value = 0;
            if (count <= 0 || count > 19)
            {
                return false;
            }

            for (int i = 0; i < count; i++)
            {
                byte c = bytes[offset + i];
                if (c < '0' || c > '9')
                {
                    return false;
                }

                value = value * 10 + (c - '0');
                if (value > max)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Writes a non-negative number in decimal; returns the digit count.</summary>
        public static int FormatDecimal(long value, byte[] into, int offset)
        {
            int digits = 1;
            for (long v = value / 10; v > 0; v /= 10)
            {
                digits++;
            }

            for (int i = digits - 1; i >= 0; i--)
            {
                into[offset + i] = (byte)('0' + (int)(value % 10));
                value /= 10;
            }

            return digits;
        }
    }
}

namespace Emailcore.Nano.Text
{
    /// <summary>UTF-8 by hand (RFC 3629): the board's mscorlib has no System.Text.Encoding.</summary>
    public static class Utf8
    {
        /// <summary>
        /// Decodes UTF-8. Each maximal ill-formed subpart becomes one U+FFFD (Unicode §3.9, the practice
        /// .NET follows), so config and log text never throws.
        /// </summary>
        public static string GetString(byte[] bytes, int offset, int count)
        {
            char[] chars = new char[count];
            int n = 0;
            int end = offset + count;
            int p = offset;
            while (p < end)
            {
                int b = bytes[p];
                if (b < 0x80)
                {
                    chars[n++] = (char)b;
                    p++;
                    continue;
                }

                int needed;
                int code;
                int low = 0x80;
                int high = 0xBF;
                if (b >= 0xC2 && b <= 0xDF)
                {
                    needed = 1;
                    code = b & 0x1F;
                }
                else if (b >= 0xE0 && b <= 0xEF)
                {
                    needed = 2;
                    code = b & 0x0F;
                    low = b == 0xE0 ? 0xA0 : 0x80;
                    high = b == 0xED ? 0x9F : 0xBF;
                }
                else if (b >= 0xF0 && b <= 0xF4)
                {
                    needed = 3;
                    code = b & 0x07;
                    low = b == 0xF0 ? 0x90 : 0x80;
                    high = b == 0xF4 ? 0x8F : 0xBF;
                }
                else
                {
                    chars[n++] = '\uFFFD';
                    p++;
                    continue;
                }

                // RFC 3629 §4 table: the second byte's range depends on the first; later ones are 80..BF.
                int q = p + 1;
                int got = 0;
                while (got < needed && q < end && bytes[q] >= low && bytes[q] <= high)
                {
                    code = (code << 6) | (bytes[q] & 0x3F);
                    q++;
                    got++;
                    low = 0x80;
                    high = 0xBF;
                }

                if (got < needed)
                {
                    chars[n++] = '\uFFFD';
                    p = q;
                    continue;
                }

                if (code >= 0x10000)
                {
                    code -= 0x10000;
                    chars[n++] = (char)(0xD800 + (code >> 10));
                    chars[n++] = (char)(0xDC00 + (code & 0x3FF));
                }
                else
                {
                    chars[n++] = (char)code;
                }

                p = q;
            }

            return new string(chars, 0, n);
        }

        /// <summary>Encodes a string as UTF-8; an unpaired surrogate becomes U+FFFD.</summary>
        public static byte[] GetBytes(string text)
        {
            byte[] bytes = new byte[ByteCount(text)];
            Encode(text, bytes, 0);
            return bytes;
        }

        public static int ByteCount(string text)
        {
            int n = 0;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c < 0x80)
                {
                    n += 1;
                }
                else if (c < 0x800)
                {
                    n += 2;
                }
                else if (IsHighSurrogate(c) && i + 1 < text.Length && IsLowSurrogate(text[i + 1]))
                {
                    n += 4;
                    i++;
                }
                else
                {
                    n += 3;
                }
            }

            return n;
        }

        /// <summary>Writes the UTF-8 form of <paramref name="text"/>; the caller sized the buffer with <see cref="ByteCount"/>.</summary>
        public static int Encode(string text, byte[] into, int offset)
        {
            int p = offset;
            for (int i = 0; i < text.Length; i++)
            {
                int c = text[i];
                if (IsHighSurrogate((char)c) && i + 1 < text.Length && IsLowSurrogate(text[i + 1]))
                {
                    c = 0x10000 + ((c - 0xD800) << 10) + (text[i + 1] - 0xDC00);
                    i++;
                }
                else if (c >= 0xD800 && c <= 0xDFFF)
                {
                    c = 0xFFFD;
                }

                if (c < 0x80)
                {
                    into[p++] = (byte)c;
                }
                else if (c < 0x800)
                {
                    into[p++] = (byte)(0xC0 | (c >> 6));
                    into[p++] = (byte)(0x80 | (c & 0x3F));
                }
                else if (c < 0x10000)
                {
                    into[p++] = (byte)(0xE0 | (c >> 12));
                    into[p++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                    into[p++] = (byte)(0x80 | (c & 0x3F));
                }
                else
                {
                    into[p++] = (byte)(0xF0 | (c >> 18));
                    into[p++] = (byte)(0x80 | ((c >> 12) & 0x3F));
                    into[p++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                    into[p++] = (byte)(0x80 | (c & 0x3F));
                }
            }

            return p - offset;
        }

        private static bool IsHighSurrogate(char c)
        {
            return c >= 0xD800 && c <= 0xDBFF;
        }

        private static bool IsLowSurrogate(char c)
        {
            return c >= 0xDC00 && c <= 0xDFFF;
        }
    }
}

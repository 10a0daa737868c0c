namespace Emailcore.Nano.Mail
{
    /// <summary>RFC 2045 §6.1 Content-Transfer-Encoding of a text body.</summary>
    public enum TransferEncoding
    {
        /// <summary>ASCII lines of at most 998 octets, sent as they are.</summary>
        SevenBit = 0,

        /// <summary>UTF-8 lines of at most 998 octets, sent as they are; needs BODY=8BITMIME (RFC 6152).</summary>
        EightBit = 1,

        /// <summary>RFC 2045 §6.7: anything else, 7-bit lines of at most 76 characters.</summary>
        QuotedPrintable = 2,
    }

    /// <summary>
    /// Streams content into a message chunk by chunk, never holding it whole: text as it is (7bit or 8bit) or
    /// quoted-printable (RFC 2045 §6.7), attachments in base64 (RFC 2045 §6.8). Text line ends (CRLF, a bare LF or
    /// a bare CR) all become CRLF, and text always ends with one.
    /// </summary>
    public sealed class BodyEncoder
    {
        /// <summary>RFC 5322 §2.1.1: a line is at most 998 octets without its CRLF.</summary>
        public const int MaxLineOctets = 998;

        private const int LineLimit = 76;
        private const string Base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        private const string Hex = "0123456789ABCDEF";

        private readonly byte[] _buffer;

        public BodyEncoder(int bufferBytes)
        {
            _buffer = new byte[bufferBytes];
        }

        /// <summary>
        /// Reads the text once and picks the lightest encoding that carries it unchanged: 7bit for short ASCII lines,
        /// 8bit for short lines with 8-bit octets when the caller may use BODY=8BITMIME, else quoted-printable
        /// (long lines and NUL need it whatever the octets, RFC 2045 §2.7 / §2.8).
        /// </summary>
        public TransferEncoding Choose(IMessageSource text, bool allowEightBit)
        {
            text.Rewind();
            bool eightBit = false;
            int line = 0;
            int n;
            while ((n = text.Read(_buffer, 0, _buffer.Length)) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    int c = _buffer[i];
                    if (c == '\r' || c == '\n')
                    {
                        line = 0;
                        continue;
                    }

                    if (c == 0 || ++line > MaxLineOctets)
                    {
                        return TransferEncoding.QuotedPrintable;
                    }

                    eightBit |= c >= 0x80;
                }
            }

            return !eightBit ? TransferEncoding.SevenBit : allowEightBit ? TransferEncoding.EightBit : TransferEncoding.QuotedPrintable;
        }

        /// <summary>Writes the text as <see cref="Choose"/> decided.</summary>
        public void Text(IMessageSource text, TransferEncoding encoding, MessageWriter into)
        {
            if (encoding == TransferEncoding.QuotedPrintable)
            {
                QuotedPrintable(text, into);
            }
            else
            {
                Verbatim(text, into);
            }
        }

        /// <summary>Base64 in lines of 76 characters, each ending in CRLF.</summary>
        public void Base64(IMessageSource source, MessageWriter into)
        {
            source.Rewind();
            int column = 0;
            int carry = 0;
            int carried = 0;
            int n;
            while ((n = source.Read(_buffer, 0, _buffer.Length)) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    carry = (carry << 8) | _buffer[i];
                    carried++;
                    if (carried == 3)
                    {
                        column = Quad(carry, 4, column, into);
                        carry = 0;
                        carried = 0;
                    }
                }
            }

            if (carried == 1)
            {
                column = Quad(carry << 16, 2, column, into);
            }
            else if (carried == 2)
            {
                column = Quad(carry << 8, 3, column, into);
            }

            if (column > 0)
            {
                into.AppendCrLf();
            }
        }

        /// <summary>Base64 of a few octets on one line, with padding (the inside of an RFC 2047 "B" word).</summary>
        public static void Base64Block(byte[] bytes, int offset, int count, MessageWriter into)
        {
            int end = offset + count;
            for (int p = offset; p < end; p += 3)
            {
                int left = end - p;
                int group = bytes[p] << 16 | (left > 1 ? bytes[p + 1] << 8 : 0) | (left > 2 ? bytes[p + 2] : 0);
                for (int k = 0; k < 4; k++)
                {
                    into.AppendByte(k <= left ? (byte)Base64Alphabet[(group >> (18 - 6 * k)) & 0x3F] : (byte)'=');
                }
            }
        }

        private void Verbatim(IMessageSource source, MessageWriter into)
        {
            source.Rewind();
            bool pendingCr = false;
            bool lineStart = true;
            int n;
            while ((n = source.Read(_buffer, 0, _buffer.Length)) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    byte c = _buffer[i];
                    if (c == '\n' || c == '\r')
                    {
                        if (c == '\n' && pendingCr)
                        {
                            pendingCr = false;
                            continue;
                        }

                        into.AppendCrLf();
                        pendingCr = c == '\r';
                        lineStart = true;
                        continue;
                    }

                    pendingCr = false;
                    into.AppendByte(c);
                    lineStart = false;
                }
            }

            if (!lineStart)
            {
                into.AppendCrLf();
            }
        }

        private void QuotedPrintable(IMessageSource source, MessageWriter into)
        {
            source.Rewind();
            int column = 0;
            int pendingSpace = -1;
            bool pendingCr = false;
            int n;
            while ((n = source.Read(_buffer, 0, _buffer.Length)) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    int c = _buffer[i];
                    if (c == '\n' || c == '\r')
                    {
                        if (c == '\n' && pendingCr)
                        {
                            pendingCr = false;
                            continue;
                        }

                        // RFC 2045 §6.7 rule 3: white space before a line break must be encoded.
                        if (pendingSpace >= 0)
                        {
                            EncodeByte(pendingSpace, into);
                            pendingSpace = -1;
                        }

                        into.AppendCrLf();
                        column = 0;
                        pendingCr = c == '\r';
                        continue;
                    }

                    pendingCr = false;
                    if (pendingSpace >= 0)
                    {
                        column = Emit(pendingSpace, false, column, into);
                        pendingSpace = -1;
                    }

                    if (c == ' ' || c == '\t')
                    {
                        pendingSpace = c;
                        continue;
                    }

                    // A dot alone at a line start is stuffed by SMTP anyway; encoding it keeps the text safe in any transport.
                    bool literal = c >= 33 && c <= 126 && c != '=' && !(c == '.' && column == 0);
                    column = Emit(c, !literal, column, into);
                }
            }

            if (pendingSpace >= 0)
            {
                column = Emit(pendingSpace, true, column, into);
            }

            if (column > 0)
            {
                into.AppendCrLf();
            }
        }

        private static int Quad(int group, int significant, int column, MessageWriter into)
        {
            if (column == LineLimit)
            {
                into.AppendCrLf();
                column = 0;
            }

            for (int k = 0; k < 4; k++)
            {
                into.AppendByte(k < significant ? (byte)Base64Alphabet[(group >> (18 - 6 * k)) & 0x3F] : (byte)'=');
            }

            return column + 4;
        }

        // Writes one character (or its =XX form) with a soft line break first when it would pass column 75.
        private static int Emit(int c, bool encode, int column, MessageWriter into)
        {
            int width = encode ? 3 : 1;
            if (column + width > LineLimit - 1)
            {
                into.Append("=\r\n");
                column = 0;
                encode |= c == '.';
                width = encode ? 3 : 1;
            }

            if (encode)
            {
                EncodeByte(c, into);
            }
            else
            {
                into.AppendByte((byte)c);
            }

            return column + width;
        }

        private static void EncodeByte(int c, MessageWriter into)
        {
            into.AppendByte((byte)'=');
            into.AppendByte((byte)Hex[c >> 4]);
            into.AppendByte((byte)Hex[c & 0xF]);
        }
    }
}

namespace Emailcore.Nano.Mail
{
    /// <summary>
    /// Streams content into a message in a 7-bit transfer encoding, chunk by chunk: quoted-printable for text
    /// (RFC 2045 §6.7) and base64 for attachments (RFC 2045 §6.8), lines of at most 76 characters.
    /// </summary>
    public sealed class BodyEncoder
    {
        private const int LineLimit = 76;
        private const string Base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        private const string Hex = "0123456789ABCDEF";

        private readonly byte[] _buffer;

        public BodyEncoder(int bufferBytes)
        {
            _buffer = new byte[bufferBytes];
        }

        /// <summary>Quoted-printable; the source's line ends (CRLF or a bare LF) become CRLF.</summary>
        public void QuotedPrintable(IMessageSource source, MessageWriter into)
        {
            source.Rewind();
            int column = 0;
            int pendingSpace = -1;
            int n;
            while ((n = source.Read(_buffer, 0, _buffer.Length)) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    int c = _buffer[i];
                    if (c == '\r')
                    {
                        continue;
                    }

                    if (c == '\n')
                    {
                        // RFC 2045 §6.7 rule 3: white space before a line break must be encoded.
                        if (pendingSpace >= 0)
                        {
                            EncodeByte(pendingSpace, into);
                            pendingSpace = -1;
                        }

                        into.Append("\r\n");
                        column = 0;
                        continue;
                    }

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

                    bool literal = c >= 33 && c <= 126 && c != '=' && !(c == '.' && column == 0);
                    column = Emit(c, !literal, column, into);
                }
            }

            if (pendingSpace >= 0)
            {
                EncodeByte(pendingSpace, into);
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
                into.Append("\r\n");
            }
        }

        private static int Quad(int group, int significant, int column, MessageWriter into)
        {
            if (column == LineLimit)
            {
                into.Append("\r\n");
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

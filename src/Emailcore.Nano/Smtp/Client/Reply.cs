using Emailcore.Nano.Smtp.Wire;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Smtp.Client
{
    /// <summary>
    /// Reads one server reply (RFC 5321 §4.2): "250-first" lines until "250 last", all with the same code.
    /// Keeps the code, the RFC 3463 enhanced status of the first line (RFC 2034), and up to
    /// <see cref="MaxText"/> bytes of text in a fixed buffer; longer lines are tolerated up to
    /// <see cref="MaxLineBytes"/>, then the reply is a protocol error. Reading allocates nothing.
    /// </summary>
    public sealed class Reply
    {
        /// <summary>Text kept per reply, for logs and bounces.</summary>
        public const int MaxText = 512;

        /// <summary>The longest reply line taken at all (RFC 5321 §4.5.3.1.5 says 512; real servers send more).</summary>
        public const int MaxLineBytes = 4096;

        /// <summary>The most lines one reply may have (an EHLO reply with every extension is far below it).</summary>
        public const int MaxLines = 100;

        private readonly byte[] _text = new byte[MaxText];
        private readonly LineReader _reader;
        private readonly Deadline _deadline;
        private bool _lastLine;

        public Reply(LineReader reader, Deadline deadline)
        {
            _reader = reader;
            _deadline = deadline;
        }

        public int Code { get; private set; }

        public int TextLength { get; private set; }

        public byte[] TextBuffer
        {
            get { return _text; }
        }

        /// <summary>Why the last <see cref="Read"/> failed, or null.</summary>
        public string Error { get; private set; }

        /// <summary>True when the failure was the timeout rather than the peer or the syntax.</summary>
        public bool TimedOut { get; private set; }

        /// <summary>
        /// Reads a reply; false with <see cref="Error"/> on a timeout, a closed connection or a malformed reply.
        /// The timeout is for the whole reply, every line of it (RFC 5321 §4.5.3.2), not for each read.
        /// <paramref name="onLine"/> sees each line's text after the code (for EHLO keywords), or is null.
        /// </summary>
        public bool Read(int timeoutMilliseconds, ReplyLineHandler onLine)
        {
            _deadline.Start(timeoutMilliseconds);
            Code = 0;
            TextLength = 0;
            Error = null;
            TimedOut = false;
            for (int lines = 0; lines < MaxLines; lines++)
            {
                LineStatus status = _reader.ReadLine(_deadline);
                int lineBytes = 0;
                while (status == LineStatus.Partial)
                {
                    // An overlong line: keep its start, skip the rest up to the bound.
                    if (lineBytes == 0)
                    {
                        if (!Take(onLine, lines))
                        {
                            return false;
                        }
                    }

                    lineBytes += _reader.LineLength;
                    if (lineBytes > MaxLineBytes)
                    {
                        return Fail("reply line longer than " + MaxLineBytes.ToString() + " bytes", false);
                    }

                    status = _reader.ReadLine(_deadline);
                }

                if (status == LineStatus.TimedOut)
                {
                    return Fail("timed out", true);
                }

                if (status == LineStatus.Closed)
                {
                    return Fail("connection closed by the server", false);
                }

                if (lineBytes == 0 && !Take(onLine, lines))
                {
                    return false;
                }

                if (_lastLine)
                {
                    return true;
                }
            }

            return Fail("reply with more than " + MaxLines.ToString() + " lines", false);
        }

        /// <summary>The enhanced status ("5.1.1") when the text starts with one, else the class default ("5.0.0").</summary>
        public string Status()
        {
            int end = StatusLength();
            if (end > 0)
            {
                return Ascii.GetString(_text, 0, end);
            }

            return ((char)('0' + Code / 100)).ToString() + ".0.0";
        }

        /// <summary>"250 2.0.0 Ok", the way logs and bounces show a reply.</summary>
        public string Summary()
        {
            return Code.ToString() + " " + Utf8.GetString(_text, 0, TextLength);
        }

        /// <summary>True when the first line's text (after the code) starts with the keyword, case-insensitively.</summary>
        public bool TextStartsWith(string keyword)
        {
            return TextLength >= keyword.Length && Ascii.EqualsIgnoreCase(_text, 0, keyword.Length, keyword);
        }

        // Parses "ddd-text" or "ddd text" from the reader's current line and keeps the first line's text.
        private bool Take(ReplyLineHandler onLine, int index)
        {
            byte[] b = _reader.Buffer;
            int p = _reader.LineOffset;
            int n = _reader.LineLength;
            if (n < 3 || !Digit(b[p], '2', '5') || !Digit(b[p + 1], '0', '9') || !Digit(b[p + 2], '0', '9') || (n > 3 && b[p + 3] != ' ' && b[p + 3] != '-'))
            {
                return Fail("malformed reply line", false);
            }

            int code = (b[p] - '0') * 100 + (b[p + 1] - '0') * 10 + (b[p + 2] - '0');
            if (index > 0 && code != Code)
            {
                return Fail("reply lines with different codes", false);
            }

            Code = code;
            _lastLine = n == 3 || b[p + 3] == ' ';
            int textStart = n > 3 ? p + 4 : p + n;
            int textLength = p + n - textStart;
            if (index == 0)
            {
                TextLength = textLength > MaxText ? MaxText : textLength;
                System.Array.Copy(b, textStart, _text, 0, TextLength);
            }
            else if (TextLength < MaxText - 1 && textLength > 0)
            {
                // Continuation lines join the kept text with a space, as far as it goes.
                _text[TextLength++] = (byte)' ';
                int take = textLength > MaxText - TextLength ? MaxText - TextLength : textLength;
                System.Array.Copy(b, textStart, _text, TextLength, take);
                TextLength += take;
            }

            if (onLine != null)
            {
                onLine(b, textStart, textLength);
            }

            return true;
        }

        private int StatusLength()
        {
            // RFC 3463 §2: class "." subject "." detail, digits of 1, 1-3 and 1-3; RFC 2034 §4: the class is the reply
            // code's first digit (a "226 4.3.0" is not taken at its word: it gets the class default).
            int p = 0;
            if (TextLength < 5 || _text[0] != '0' + Code / 100 || _text[0] == '3' || _text[1] != '.')
            {
                return 0;
            }

            p = 2;
            for (int part = 0; part < 2; part++)
            {
                int start = p;
                while (p < TextLength && p - start < 3 && _text[p] >= '0' && _text[p] <= '9')
                {
                    p++;
                }

                if (p == start || (part == 0 && (p >= TextLength || _text[p] != '.')))
                {
                    return 0;
                }

                if (part == 0)
                {
                    p++;
                }
            }

            return p == TextLength || _text[p] == ' ' ? p : 0;
        }

        private static bool Digit(byte c, char low, char high)
        {
            return c >= low && c <= high;
        }

        private bool Fail(string why, bool timedOut)
        {
            Error = why;
            TimedOut = timedOut;
            return false;
        }
    }

    /// <summary>Called with each reply line's text (after "ddd-" or "ddd ").</summary>
    public delegate void ReplyLineHandler(byte[] buffer, int offset, int count);
}

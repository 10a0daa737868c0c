using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Smtp.Wire
{
    /// <summary>What <see cref="LineReader.ReadLine"/> found.</summary>
    public enum LineStatus
    {
        /// <summary>A whole line, without its line end.</summary>
        Line,

        /// <summary>The buffer filled before a line end: a piece of a longer line; the rest follows.</summary>
        Partial,

        /// <summary>The peer closed the connection (an unterminated tail is dropped).</summary>
        Closed,

        /// <summary>Nothing complete arrived by the deadline.</summary>
        TimedOut,
    }

    /// <summary>
    /// Reads lines from a connection into one fixed buffer, allocated once; reading allocates nothing.
    /// A line ends at LF; <see cref="EndedWithCrLf"/> tells whether a CR preceded it (RFC 5321 §2.3.8 requires
    /// CRLF; a bare LF matters to the DATA rules against smuggling). The line is valid until the next call.
    /// </summary>
    public sealed class LineReader
    {
        private readonly byte[] _buffer;
        private IConnection _connection;
        private int _start;
        private int _end;
        private int _scanned;

        /// <param name="capacity">The longest line delivered whole, line end included (RFC 5321 §4.5.3.1: 512 for commands and replies, 1000 for text).</param>
        public LineReader(int capacity)
        {
            _buffer = new byte[capacity];
        }

        public byte[] Buffer
        {
            get { return _buffer; }
        }

        public int LineOffset { get; private set; }

        public int LineLength { get; private set; }

        /// <summary>True when the last whole line ended with CR LF, false for a bare LF (or for a <see cref="LineStatus.Partial"/> piece).</summary>
        public bool EndedWithCrLf { get; private set; }

        public int Capacity
        {
            get { return _buffer.Length; }
        }

        /// <summary>True when bytes beyond the last line are already buffered: the peer pipelined (RFC 2920).</summary>
        public bool HasBufferedInput
        {
            get { return _end > _start; }
        }

        /// <summary>Attaches a connection and forgets anything buffered from a previous one.</summary>
        public void Attach(IConnection connection)
        {
            _connection = connection;
            DiscardBuffered();
        }

        /// <summary>
        /// Drops every byte received but not yet read. Called when TLS starts, so nothing sent in plaintext
        /// is ever taken as if it came over TLS (CVE-2011-0411 class; RFC 3207 §4.2).
        /// </summary>
        public void DiscardBuffered()
        {
            _start = 0;
            _end = 0;
            _scanned = 0;
        }

        /// <summary>
        /// The next line, or a piece of a longer one, read by the deadline's current request: a line trickled in a
        /// byte at a time times out like a silent peer (Postfix's smtpd_per_request_deadline).
        /// </summary>
        public LineStatus ReadLine(Deadline deadline)
        {
            while (true)
            {
                for (int i = _scanned; i < _end; i++)
                {
                    if (_buffer[i] == (byte)'\n')
                    {
                        EndedWithCrLf = i > _start && _buffer[i - 1] == (byte)'\r';
                        LineOffset = _start;
                        LineLength = i - _start - (EndedWithCrLf ? 1 : 0);
                        _start = i + 1;
                        _scanned = _start;
                        return LineStatus.Line;
                    }
                }

                _scanned = _end;
                if (_start > 0 && _end == _buffer.Length)
                {
                    System.Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _scanned = _end;
                    _start = 0;
                }

                if (_end == _buffer.Length)
                {
                    // Full without a line end: hand over a piece, keeping a trailing CR that may pair with the next LF.
                    int take = _buffer[_end - 1] == (byte)'\r' && _end - _start > 1 ? _end - _start - 1 : _end - _start;
                    EndedWithCrLf = false;
                    LineOffset = _start;
                    LineLength = take;
                    _start += take;
                    _scanned = _start;
                    return LineStatus.Partial;
                }

                int remaining = deadline.Remaining;
                if (remaining == 0)
                {
                    return LineStatus.TimedOut;
                }

                int n = _connection.Read(_buffer, _end, _buffer.Length - _end, remaining);
                if (n == Connection.TimedOut)
                {
                    return LineStatus.TimedOut;
                }

                if (n == 0)
                {
                    return LineStatus.Closed;
                }

                _end += n;
            }
        }
    }
}

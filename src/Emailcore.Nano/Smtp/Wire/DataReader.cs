namespace Emailcore.Nano.Smtp.Wire
{
    /// <summary>What one <see cref="DataReader.Read"/> call found.</summary>
    public enum DataStatus
    {
        /// <summary>Content only; the data goes on.</summary>
        Content,

        /// <summary>The content ends with a bare CR or LF (RFC 5321 §2.3.8 allows neither); the data goes on.</summary>
        BareNewline,

        /// <summary>The end of the data; what follows it is the next command.</summary>
        End,
    }

    /// <summary>
    /// The receiving half of DATA transparency, a state machine over the bytes as they arrive, in pieces of any size:
    /// the leading dot of each line goes (RFC 5321 §4.5.2), the data ends only at CRLF "." CRLF (RFC 5321 §4.1.1.4,
    /// so neither LF "." LF nor CR "." CR can smuggle a second message), and a bare CR or LF is reported where it is
    /// found but passed on unchanged. The content is written over the bytes read, so reading allocates nothing.
    /// </summary>
    public sealed class DataReader
    {
        private enum State
        {
            LineStart,
            Dot,
            Text,
            Cr,
        }

        private State _state;
        private bool _afterCrLf;

        /// <summary>Bytes of the input the last <see cref="Read"/> used; the caller hands the rest to the next call, after more input if none were used.</summary>
        public int Consumed { get; private set; }

        /// <summary>Content bytes the last <see cref="Read"/> wrote, from the offset it was given.</summary>
        public int Produced { get; private set; }

        /// <summary>Starts a message: the DATA command's line end came before it.</summary>
        public void Start()
        {
            _state = State.LineStart;
            _afterCrLf = true;
        }

        /// <summary>
        /// Reads <paramref name="count"/> bytes at <paramref name="offset"/> and writes their content over them from
        /// <paramref name="offset"/>. Stops after the first bare CR or LF, and at the end of the data; a CR after a
        /// line's leading dot is kept back while it is the last byte given, as it may begin the end of the data.
        /// </summary>
        public DataStatus Read(byte[] buffer, int offset, int count)
        {
            int end = offset + count;
            int read = offset;
            int write = offset;
            DataStatus status = DataStatus.Content;
            while (read < end && status == DataStatus.Content)
            {
                byte c = buffer[read];
                switch (_state)
                {
                    case State.LineStart:
                        if (c == '.')
                        {
                            // RFC 5321 §4.5.2: the sender doubled a leading dot; one goes.
                            _state = State.Dot;
                            read++;
                            continue;
                        }

                        break;
                    case State.Dot:
                        if (c == '\r')
                        {
                            if (read + 1 == end)
                            {
                                Done(offset, read, write);
                                return DataStatus.Content;
                            }

                            // RFC 5321 §4.1.1.4: "." alone on a line ends the data only between two CRLFs.
                            if (_afterCrLf && buffer[read + 1] == '\n')
                            {
                                Done(offset, read + 2, write);
                                return DataStatus.End;
                            }
                        }

                        break;
                    case State.Cr:
                        if (c != '\n')
                        {
                            // The CR already written was bare; this byte is read by the next call.
                            _state = State.Text;
                            status = DataStatus.BareNewline;
                            continue;
                        }

                        buffer[write++] = c;
                        read++;
                        _state = State.LineStart;
                        _afterCrLf = true;
                        continue;
                }

                buffer[write++] = c;
                read++;
                if (c == '\r')
                {
                    _state = State.Cr;
                }
                else if (c == '\n')
                {
                    _state = State.LineStart;
                    _afterCrLf = false;
                    status = DataStatus.BareNewline;
                }
                else
                {
                    _state = State.Text;
                }
            }

            Done(offset, read, write);
            return status;
        }

        private void Done(int offset, int read, int write)
        {
            Consumed = read - offset;
            Produced = write - offset;
        }
    }
}

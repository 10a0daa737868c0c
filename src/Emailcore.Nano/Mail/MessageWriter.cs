using Emailcore.Nano.Text;

namespace Emailcore.Nano.Mail
{
    /// <summary>
    /// Writes a message we generate ourselves (a bounce, an alert) into a sink through one fixed buffer.
    /// Text is UTF-8; line ends are written by the caller as CRLF. Reports the sink refusing (store full)
    /// through <see cref="Failed"/> rather than an exception, as the sink does.
    /// </summary>
    public sealed class MessageWriter
    {
        private readonly byte[] _buffer;
        private IMessageSink _sink;
        private int _length;

        public MessageWriter(int bufferBytes)
        {
            _buffer = new byte[bufferBytes];
        }

        public bool Failed { get; private set; }

        public void Attach(IMessageSink sink)
        {
            _sink = sink;
            _length = 0;
            Failed = false;
        }

        public void Write(string text)
        {
            int needed = Utf8.ByteCount(text);
            if (needed > _buffer.Length - _length)
            {
                Flush();
            }

            if (needed > _buffer.Length)
            {
                byte[] bytes = Utf8.GetBytes(text);
                Write(bytes, 0, bytes.Length);
                return;
            }

            _length += Utf8.Encode(text, _buffer, _length);
        }

        /// <summary>Writes text and CRLF.</summary>
        public void Line(string text)
        {
            Write(text);
            Write("\r\n");
        }

        public void Write(byte[] bytes, int offset, int count)
        {
            while (count > 0)
            {
                if (_length == _buffer.Length)
                {
                    Flush();
                }

                int take = _buffer.Length - _length;
                if (take > count)
                {
                    take = count;
                }

                System.Array.Copy(bytes, offset, _buffer, _length, take);
                _length += take;
                offset += take;
                count -= take;
            }
        }

        public void WriteByte(byte b)
        {
            if (_length == _buffer.Length)
            {
                Flush();
            }

            _buffer[_length++] = b;
        }

        public void Flush()
        {
            if (_length > 0 && !Failed)
            {
                Failed = !_sink.Write(_buffer, 0, _length);
            }

            _length = 0;
        }
    }
}

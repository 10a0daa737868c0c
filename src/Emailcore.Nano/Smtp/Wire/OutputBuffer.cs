using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Smtp.Wire
{
    /// <summary>
    /// Collects outgoing commands or replies in one fixed buffer and writes them in as few segments as
    /// possible, which is what PIPELINING (RFC 2920) needs on both sides. Appending allocates nothing.
    /// </summary>
    public sealed class OutputBuffer
    {
        private readonly byte[] _buffer;
        private IConnection _connection;
        private int _length;

        public OutputBuffer(int capacity)
        {
            _buffer = new byte[capacity];
        }

        /// <summary>The write timeout used when the buffer fills or is flushed.</summary>
        public int TimeoutMilliseconds { get; set; } = 300000;

        public int Length
        {
            get { return _length; }
        }

        public void Attach(IConnection connection)
        {
            _connection = connection;
            _length = 0;
        }

        public void Append(string ascii)
        {
            for (int i = 0; i < ascii.Length; i++)
            {
                AppendByte((byte)ascii[i]);
            }
        }

        public void Append(byte[] bytes, int offset, int count)
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

        public void AppendByte(byte b)
        {
            if (_length == _buffer.Length)
            {
                Flush();
            }

            _buffer[_length++] = b;
        }

        public void AppendDecimal(long value)
        {
            if (_buffer.Length - _length < 20)
            {
                Flush();
            }

            _length += Ascii.FormatDecimal(value, _buffer, _length);
        }

        public void AppendCrLf()
        {
            AppendByte((byte)'\r');
            AppendByte((byte)'\n');
        }

        public void Flush()
        {
            if (_length > 0)
            {
                int count = _length;
                _length = 0;
                _connection.Write(_buffer, 0, count, TimeoutMilliseconds);
            }
        }
    }
}

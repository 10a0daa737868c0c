namespace Emailcore.Nano.Text
{
    /// <summary>
    /// Bytes collected in one fixed buffer, allocated once, and handed on in as few pieces as possible when it
    /// fills or on <see cref="Flush"/>. Appending allocates nothing. Subclasses say where the bytes go.
    /// </summary>
    public abstract class BufferedWriter
    {
        private readonly byte[] _buffer;
        private int _length;

        protected BufferedWriter(int capacity)
        {
            _buffer = new byte[capacity];
        }

        /// <summary>Bytes waiting in the buffer.</summary>
        public int Length
        {
            get { return _length; }
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

        /// <summary>Appends an ASCII string (protocol keywords, replies).</summary>
        public void Append(string ascii)
        {
            for (int i = 0; i < ascii.Length; i++)
            {
                AppendByte((byte)ascii[i]);
            }
        }

        /// <summary>Appends a string as UTF-8 (addresses and text that may not be ASCII).</summary>
        public void AppendUtf8(string text)
        {
            int needed = Utf8.ByteCount(text);
            if (needed > _buffer.Length - _length)
            {
                Flush();
            }

            if (needed > _buffer.Length)
            {
                byte[] bytes = Utf8.GetBytes(text);
                Append(bytes, 0, bytes.Length);
                return;
            }

            _length += Utf8.Encode(text, _buffer, _length);
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

        /// <summary>Hands everything buffered to <see cref="Drain"/>.</summary>
        public void Flush()
        {
            if (_length > 0)
            {
                int count = _length;
                _length = 0;
                Drain(_buffer, count);
            }
        }

        /// <summary>Forgets anything buffered (a new connection or message).</summary>
        protected void Reset()
        {
            _length = 0;
        }

        /// <summary>Passes on the first <paramref name="count"/> bytes of the buffer.</summary>
        protected abstract void Drain(byte[] buffer, int count);
    }
}

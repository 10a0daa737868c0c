namespace Emailcore.Nano.Mail
{
    /// <summary>Content already in memory (an alert's text) as an <see cref="IMessageSource"/>.</summary>
    public sealed class ByteSource : IMessageSource
    {
        private readonly byte[] _bytes;
        private int _position;

        public ByteSource(byte[] bytes)
        {
            _bytes = bytes;
        }

        public long Length
        {
            get { return _bytes.Length; }
        }

        public int Read(byte[] buffer, int offset, int count)
        {
            int n = _bytes.Length - _position;
            if (n > count)
            {
                n = count;
            }

            System.Array.Copy(_bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public void Rewind()
        {
            _position = 0;
        }
    }
}

#nullable disable
using System;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>A growable byte array (what MemoryStream and List&lt;byte&gt; are elsewhere), mscorlib only.</summary>
    public sealed class ByteBuffer
    {
        private byte[] _bytes;

        public ByteBuffer(int capacity = 64)
        {
            _bytes = new byte[capacity];
        }

        public int Length { get; private set; }

        /// <summary>UTF-8 text of the bytes.</summary>
        public string Text
        {
            get { return Utf8.GetString(_bytes, 0, Length); }
        }

        public byte this[int index]
        {
            get { return _bytes[index]; }
            set { _bytes[index] = value; }
        }

        public void Append(byte[] buffer, int offset, int count)
        {
            if (Length + count > _bytes.Length)
            {
                var bigger = new byte[Numbers.Max(_bytes.Length * 2, Length + count)];
                Array.Copy(_bytes, 0, bigger, 0, Length);
                _bytes = bigger;
            }

            Array.Copy(buffer, offset, _bytes, Length, count);
            Length += count;
        }

        public void Append(byte[] buffer)
        {
            Append(buffer, 0, buffer.Length);
        }

        public void Truncate(int length)
        {
            Length = length;
        }

        public int CopyTo(int position, byte[] buffer, int offset, int count)
        {
            int n = Numbers.Max(0, Numbers.Min(count, Length - position));
            Array.Copy(_bytes, position, buffer, offset, n);
            return n;
        }

        public byte[] ToArray()
        {
            var copy = new byte[Length];
            Array.Copy(_bytes, 0, copy, 0, Length);
            return copy;
        }
    }
}

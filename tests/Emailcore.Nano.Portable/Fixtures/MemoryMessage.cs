#nullable disable
using Emailcore.Nano.Mail;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>A message held in memory: a sink to write one into and a source to read it back.</summary>
    public sealed class MemoryMessage : IMessageSink, IMessageSource
    {
        private readonly ByteBuffer _content = new ByteBuffer();
        private readonly long _capacity;
        private int _position;

        public MemoryMessage(long capacity = long.MaxValue)
        {
            _capacity = capacity;
        }

        /// <summary>A committed message with the UTF-8 bytes of <paramref name="content"/>.</summary>
        public static MemoryMessage Of(string content)
        {
            return Of(Utf8.GetBytes(content));
        }

        public static MemoryMessage Of(byte[] content)
        {
            var message = new MemoryMessage();
            message._content.Append(content);
            message.Committed = true;
            return message;
        }

        public bool Committed { get; private set; }

        public bool Aborted { get; private set; }

        public string Text
        {
            get { return _content.Text; }
        }

        public byte[] Bytes
        {
            get { return _content.ToArray(); }
        }

        public long Length
        {
            get { return _content.Length; }
        }

        public bool HasRoom(long declaredSize)
        {
            return declaredSize <= _capacity;
        }

        public long Open(Envelope envelope)
        {
            _content.Truncate(0);
            Committed = false;
            Aborted = false;
            return 0x3F2A9C;
        }

        public bool Write(byte[] buffer, int offset, int count)
        {
            if (_content.Length + count > _capacity)
            {
                return false;
            }

            _content.Append(buffer, offset, count);
            return true;
        }

        public bool Commit()
        {
            Committed = true;
            return true;
        }

        public void Abort()
        {
            Aborted = true;
            _content.Truncate(0);
        }

        public int Read(byte[] buffer, int offset, int count)
        {
            int n = _content.CopyTo(_position, buffer, offset, count);
            _position += n;
            return n;
        }

        public void Rewind()
        {
            _position = 0;
        }
    }
}

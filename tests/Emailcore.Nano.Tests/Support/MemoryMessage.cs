using System;
using System.IO;
using Emailcore.Nano.Mail;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>A message held in memory: a sink to write one into and a source to read it back, for unit tests.</summary>
    public sealed class MemoryMessage : IMessageSink, IMessageSource
    {
        private readonly MemoryStream _content = new();
        private readonly long _capacity;
        private long _position;

        public MemoryMessage(long capacity = long.MaxValue)
        {
            _capacity = capacity;
        }

        public static MemoryMessage Of(string content, System.Text.Encoding? encoding = null)
        {
            var message = new MemoryMessage();
            byte[] bytes = (encoding ?? System.Text.Encoding.UTF8).GetBytes(content);
            message._content.Write(bytes, 0, bytes.Length);
            message.Committed = true;
            return message;
        }

        public bool Committed { get; private set; }

        public bool Aborted { get; private set; }

        public string Text => System.Text.Encoding.UTF8.GetString(_content.ToArray());

        public long Length => _content.Length;

        public bool HasRoom(long declaredSize) => declaredSize <= _capacity;

        public long Open(Envelope envelope)
        {
            _content.SetLength(0);
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

            _content.Write(buffer, offset, count);
            return true;
        }

        public bool Commit() => Committed = true;

        public void Abort()
        {
            Aborted = true;
            _content.SetLength(0);
        }

        public int Read(byte[] buffer, int offset, int count)
        {
            byte[] all = _content.GetBuffer();
            int n = (int)Math.Min(count, _content.Length - _position);
            Array.Copy(all, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public void Rewind() => _position = 0;
    }
}

using System;
using System.IO;
using Emailcore.Nano.Mail;

namespace Emailcore.Nano.Host.Submit
{
    /// <summary>
    /// A message being built on the host, kept in a temporary file (deleted on dispose) rather than in memory: written
    /// as a sink, read back in chunks as a source for the spool, the relay's listener or a next hop.
    /// </summary>
    public sealed class MessageFile : IMessageSink, IMessageSource, IDisposable
    {
        private readonly FileStream _stream;

        public MessageFile()
        {
            string path = Path.Combine(Path.GetTempPath(), "emailcore-" + Guid.NewGuid().ToString("N") + ".eml");
            _stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.DeleteOnClose);
        }

        /// <summary>Whether any octet above 0x7F was written (the message then needs BODY=8BITMIME, RFC 6152).</summary>
        public bool EightBit { get; private set; }

        public long Length => _stream.Length;

        public bool HasRoom(long declaredSize) => true;

        public long Open(Envelope envelope) => 0;

        public bool Write(byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count && !EightBit; i++)
            {
                EightBit = buffer[offset + i] >= 0x80;
            }

            _stream.Write(buffer, offset, count);
            return true;
        }

        public bool Commit()
        {
            _stream.Flush();
            _stream.Position = 0;
            return true;
        }

        public void Abort() => _stream.SetLength(0);

        public int Read(byte[] buffer, int offset, int count) => _stream.Read(buffer, offset, count);

        public void Rewind() => _stream.Position = 0;

        public void Dispose() => _stream.Dispose();
    }

    /// <summary>A file on disk, opened read-only and read in chunks (a body file, an attachment).</summary>
    public sealed class FileSource : IMessageSource, IDisposable
    {
        private readonly FileStream _stream;

        public FileSource(string path)
        {
            _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }

        public long Length => _stream.Length;

        public int Read(byte[] buffer, int offset, int count) => _stream.Read(buffer, offset, count);

        public void Rewind() => _stream.Position = 0;

        public void Dispose() => _stream.Dispose();
    }
}

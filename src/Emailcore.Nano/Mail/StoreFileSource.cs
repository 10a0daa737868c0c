using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Mail
{
    /// <summary>
    /// A file on the store (a CSV log, a camera snapshot) read in chunks as an attachment's content, so it is never
    /// loaded whole. The caller opens and closes the file.
    /// </summary>
    public sealed class StoreFileSource : IMessageSource
    {
        private readonly IStoreFile _file;
        private long _position;

        public StoreFileSource(IStoreFile file)
        {
            _file = file;
        }

        public long Length
        {
            get { return _file.Length; }
        }

        public int Read(byte[] buffer, int offset, int count)
        {
            int n = _file.Read(_position, buffer, offset, count);
            _position += n;
            return n;
        }

        public void Rewind()
        {
            _position = 0;
        }
    }
}

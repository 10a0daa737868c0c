using Emailcore.Nano.Mail;

namespace Emailcore.Nano.Spool
{
    /// <summary>
    /// A queued message's content for the SMTP client: walks the log from the envelope record, taking this
    /// message's chunk records and skipping the others' by their headers. Holds no buffer of its own.
    /// </summary>
    internal sealed class SpoolReader : IMessageSource
    {
        private readonly Spool _spool;
        private readonly QueuedMessage _message;

        public SpoolReader(Spool spool, QueuedMessage message)
        {
            _spool = spool;
            _message = message;
            Rewind();
        }

        public long Length
        {
            get { return _message.Size; }
        }

        public long Id
        {
            get { return _message.Id; }
        }

        internal int Segment;
        internal long Position;
        internal long ChunkLeft;
        internal long ChunkPosition;
        internal long Done;

        public int Read(byte[] buffer, int offset, int count)
        {
            return _spool.ReadContent(this, buffer, offset, count);
        }

        public void Rewind()
        {
            Segment = _message.EnvelopeSegment;
            Position = _message.EnvelopeOffset;
            ChunkLeft = 0;
            Done = 0;
        }
    }
}

using Emailcore.Nano.Mail;

namespace Emailcore.Nano.Spool
{
    /// <summary>
    /// One session's way into the spool. Content is gathered into a buffer of one page less the record overhead,
    /// so every full chunk record is exactly one page on the store; Commit writes the last chunk and the commit
    /// record and syncs once.
    /// </summary>
    internal sealed class SpoolSink : IMessageSink
    {
        private readonly Spool _spool;
        private readonly byte[] _buffer;
        private readonly bool _reserve;
        private QueuedMessage _message;
        private int _used;
        private bool _failed;

        /// <param name="reserve">Whether its messages may use the space queue_minfree holds back (notifications only).</param>
        public SpoolSink(Spool spool, int chunkSize, bool reserve)
        {
            _spool = spool;
            _reserve = reserve;
            _buffer = new byte[chunkSize];
        }

        public bool HasRoom(long declaredSize)
        {
            return _spool.HasRoom(declaredSize, _reserve);
        }

        public long Open(Envelope envelope)
        {
            Abort();
            _message = _spool.OpenMessage(envelope, _reserve);
            return _message == null ? -1 : _message.Id;
        }

        public bool Write(byte[] buffer, int offset, int count)
        {
            if (_message == null || _failed)
            {
                return false;
            }

            while (count > 0)
            {
                if (_used == _buffer.Length)
                {
                    if (!_spool.AppendChunk(_message, _buffer, _used))
                    {
                        // Nothing partial stays visible: the message leaves the index now, Commit will say false.
                        _failed = true;
                        _spool.AbortMessage(_message);
                        return false;
                    }

                    _used = 0;
                }

                int n = _buffer.Length - _used < count ? _buffer.Length - _used : count;
                System.Array.Copy(buffer, offset, _buffer, _used, n);
                _used += n;
                offset += n;
                count -= n;
            }

            return true;
        }

        public bool Commit()
        {
            if (_message == null || _failed)
            {
                Reset();
                return false;
            }

            bool committed = _spool.CommitMessage(_message, _buffer, _used);
            Reset();
            return committed;
        }

        public void Abort()
        {
            if (_message != null && !_failed)
            {
                _spool.AbortMessage(_message);
            }

            Reset();
        }

        private void Reset()
        {
            _message = null;
            _used = 0;
            _failed = false;
        }
    }
}

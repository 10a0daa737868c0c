using Emailcore.Nano.Mail;

namespace Emailcore.Nano.Alerts
{
    /// <summary>
    /// The one place alerts enter the spool: open a message for an envelope, let the caller write its content,
    /// commit it (synced: a reboot keeps it) or leave nothing behind. Alerts and their dated copies both go
    /// through here, so switching to another submit path changes only this class. One sink, reused; the caller
    /// serializes.
    /// </summary>
    internal sealed class AlertSubmission
    {
        private readonly IMessageSink _sink;
        private readonly MessageWriter _writer;
        private long _id = -1;

        public AlertSubmission(IMessageStore store, int bufferBytes)
        {
            _sink = store.CreateSink();
            _writer = new MessageWriter(bufferBytes);
        }

        /// <summary>The writer for the content, or null when the spool has no room for a message now.</summary>
        public MessageWriter Begin(Envelope envelope, long size)
        {
            _id = _sink.HasRoom(size) ? _sink.Open(envelope) : -1;
            if (_id < 0)
            {
                return null;
            }

            _writer.Attach(_sink);
            return _writer;
        }

        /// <summary>Commits what was written; the queue id, or -1 when the spool filled up (nothing is kept then).</summary>
        public long End()
        {
            long id = _id;
            _id = -1;
            _writer.Flush();
            if (_writer.Failed || !_sink.Commit())
            {
                _sink.Abort();
                return -1;
            }

            return id;
        }

        /// <summary>Gives up the message being written (reading its source failed); nothing of it remains.</summary>
        public void Abandon()
        {
            _id = -1;
            _sink.Abort();
        }
    }
}

using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Smtp.Wire
{
    /// <summary>
    /// Collects outgoing commands or replies and writes them to the connection in as few segments as
    /// possible, which is what PIPELINING (RFC 2920) needs on both sides.
    /// </summary>
    public sealed class OutputBuffer : BufferedWriter
    {
        private readonly Deadline _deadline;
        private IConnection _connection;

        /// <param name="deadline">Caps each write at what is left of the session.</param>
        public OutputBuffer(int capacity, Deadline deadline) : base(capacity)
        {
            _deadline = deadline;
        }

        /// <summary>The write timeout used when the buffer fills or is flushed (at most what is left of the session).</summary>
        public int TimeoutMilliseconds { get; set; } = 300000;

        public void Attach(IConnection connection)
        {
            _connection = connection;
            Reset();
        }

        protected override void Drain(byte[] buffer, int count)
        {
            _connection.Write(buffer, 0, count, _deadline.Cap(TimeoutMilliseconds));
        }
    }
}

using Emailcore.Nano.Text;

namespace Emailcore.Nano.Mail
{
    /// <summary>
    /// Writes a message we generate ourselves (a bounce, an alert) into a sink. The sink refusing (store full)
    /// shows in <see cref="Failed"/> rather than as an exception, as the sink reports it.
    /// </summary>
    public sealed class MessageWriter : BufferedWriter
    {
        private IMessageSink _sink;

        public MessageWriter(int bufferBytes) : base(bufferBytes)
        {
        }

        public bool Failed { get; private set; }

        public void Attach(IMessageSink sink)
        {
            _sink = sink;
            Reset();
            Failed = false;
        }

        /// <summary>Appends UTF-8 text and CRLF.</summary>
        public void Line(string text)
        {
            AppendUtf8(text);
            AppendCrLf();
        }

        protected override void Drain(byte[] buffer, int count)
        {
            if (!Failed)
            {
                Failed = !_sink.Write(buffer, 0, count);
            }
        }
    }
}

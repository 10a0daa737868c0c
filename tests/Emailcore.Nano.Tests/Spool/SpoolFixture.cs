using System;
using System.Collections.Generic;
using System.Text;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Spool;
using SpoolQueue = Emailcore.Nano.Spool.Spool;

namespace Emailcore.Nano.Tests.Spool
{
    /// <summary>A clock the test sets; always known.</summary>
    public sealed class ManualClock : IClock
    {
        public DateTime Now { get; set; } = new DateTime(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc);

        public long MonotonicMilliseconds => Now.Ticks / TimeSpan.TicksPerMillisecond;

        public bool TryGetUtcNow(out DateTime utcNow)
        {
            utcNow = Now;
            return true;
        }

        public void Sleep(int milliseconds) => Now = Now.AddMilliseconds(milliseconds);
    }

    /// <summary>Keeps log lines for assertions.</summary>
    public sealed class ListLog : ILog
    {
        private readonly List<string> _lines = new();

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return _lines.ToArray();
                }
            }
        }

        public void Write(LogLevel level, string line)
        {
            lock (_lines)
            {
                _lines.Add(level + " " + line);
            }
        }
    }

    public static class SpoolFixture
    {
        public static SpoolQueue Open(IFileStore store, ILog? log = null, int pageSize = 256, int segmentSize = 2048, long sizeLimit = 1 << 20, int indexLimit = 64, bool readOnly = false, long minFree = 0) =>
            new(store, log ?? new ListLog(), new ManualClock(), pageSize, segmentSize, sizeLimit, indexLimit, minFree, readOnly);

        public static Envelope Envelope(string from, params string[] recipients)
        {
            var envelope = new Envelope(4096, 64);
            byte[] path = Encoding.UTF8.GetBytes(from);
            envelope.SetReversePath(path, 0, path.Length);
            foreach (string recipient in recipients)
            {
                byte[] address = Encoding.UTF8.GetBytes(recipient);
                byte[] orcpt = Encoding.UTF8.GetBytes("rfc822;" + recipient);
                envelope.AddRecipient(address, 0, address.Length, Notify.Failure | Notify.Delay, orcpt, 0, orcpt.Length);
            }

            return envelope;
        }

        /// <summary>Open, write in pieces of <paramref name="piece"/> bytes, commit: the queue id, or -1 when any step said no.</summary>
        public static long Receive(IMessageSink sink, Envelope envelope, byte[] content, int piece = 1000)
        {
            long id = sink.Open(envelope);
            if (id < 0)
            {
                return -1;
            }

            for (int at = 0; at < content.Length; at += piece)
            {
                if (!sink.Write(content, at, Math.Min(piece, content.Length - at)))
                {
                    sink.Commit();
                    return -1;
                }
            }

            return sink.Commit() ? id : -1;
        }

        public static byte[] Content(int size, int seed)
        {
            var bytes = new byte[size];
            new Random(seed).NextBytes(bytes);
            return bytes;
        }

        public static byte[] ReadAll(IMessageSource source)
        {
            var all = new List<byte>();
            var buffer = new byte[777];
            int n;
            while ((n = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                all.AddRange(new ArraySegment<byte>(buffer, 0, n));
            }

            return all.ToArray();
        }

        /// <summary>The envelope as one comparable line.</summary>
        public static string Describe(Envelope envelope)
        {
            var text = new StringBuilder();
            text.Append(envelope.ReversePath()).Append(" size=").Append(envelope.DeclaredSize).Append(" body=").Append(envelope.Body)
                .Append(" ret=").Append(envelope.Ret).Append(" utf8=").Append(envelope.SmtpUtf8)
                .Append(" envid=").Append(Encoding.UTF8.GetString(envelope.Arena, envelope.EnvIdOffset, envelope.EnvIdLength));
            for (int i = 0; i < envelope.RecipientCount; i++)
            {
                text.Append(" to=").Append(envelope.Recipient(i)).Append(" notify=").Append(envelope.RecipientNotify(i))
                    .Append(" orcpt=").Append(Encoding.UTF8.GetString(envelope.Arena, envelope.OrcptOffset(i), envelope.OrcptLength(i)));
            }

            return text.ToString();
        }

        public static string Describe(SpoolQueue spool, long id)
        {
            var envelope = new Envelope(65536, 1000);
            return spool.LoadEnvelope(id, envelope) ? Describe(envelope) : "(no envelope)";
        }

        public static bool SetState(SpoolQueue spool, long id, int recipient, RecipientState state, string reply, long next = 0)
        {
            byte[] text = Encoding.UTF8.GetBytes(reply);
            return spool.RecordState(id, recipient, state, next, text, 0, text.Length);
        }
    }
}

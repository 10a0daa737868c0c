using System;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Mail
{
    /// <summary>
    /// The one call device code makes: <see cref="Send"/> composes an alert and queues it in the spool, from
    /// where the relay delivers it with retries. A burst is capped at <c>alert_rate_limit</c> alerts per
    /// <c>alert_rate_window</c>; the ones held back are counted and the next alert that goes out says how many,
    /// so a flapping sensor cannot flood the spool or the recipients.
    /// </summary>
    public sealed class AlertSender
    {
        /// <summary><see cref="Send"/>'s answer when the alert was held back by the rate limit.</summary>
        public const long Suppressed = -1;

        /// <summary><see cref="Send"/>'s answer when the spool had no room.</summary>
        public const long NoRoom = -2;

        private readonly IMessageStore _store;
        private readonly IClock _clock;
        private readonly IRandom _random;
        private readonly string _from;
        private readonly string[] _to;
        private readonly string _hostName;
        private readonly int _limit;
        private readonly long _windowMilliseconds;
        private readonly long[] _sentAt;
        private readonly MessageBuilder _builder = new MessageBuilder(256);
        private readonly MessageWriter _writer = new MessageWriter(256);
        private readonly Envelope _envelope;
        private int _next;
        private int _suppressed;

        public AlertSender(IMessageStore store, IClock clock, IRandom random, string from, string[] to, string hostName, int limit, int windowSeconds)
        {
            _store = store;
            _clock = clock;
            _random = random;
            _from = from;
            _to = to;
            _hostName = hostName;
            _limit = limit;
            _windowMilliseconds = (long)windowSeconds * 1000;
            _sentAt = new long[limit];
            for (int i = 0; i < limit; i++)
            {
                _sentAt[i] = long.MinValue;
            }

            int arena = Utf8.ByteCount(from);
            for (int i = 0; i < to.Length; i++)
            {
                arena += Utf8.ByteCount(to[i]);
            }

            _envelope = new Envelope(arena, to.Length);
        }

        /// <summary>How many alerts the rate limit has held back since the last one sent.</summary>
        public int SuppressedCount
        {
            get { return _suppressed; }
        }

        /// <summary>Queues an alert; returns its queue id, <see cref="Suppressed"/> or <see cref="NoRoom"/>.</summary>
        public long Send(string subject, string text)
        {
            lock (_sentAt)
            {
                long now = _clock.MonotonicMilliseconds;
                if (_limit == 0 || (_sentAt[_next] != long.MinValue && now - _sentAt[_next] < _windowMilliseconds))
                {
                    _suppressed++;
                    return Suppressed;
                }

                if (_suppressed > 0)
                {
                    text += "\r\n\r\n(" + _suppressed.ToString() + " earlier alert(s) were suppressed by alert_rate_limit.)";
                }

                long id = Queue(subject, text);
                if (id >= 0)
                {
                    _sentAt[_next] = now;
                    _next = (_next + 1) % _limit;
                    _suppressed = 0;
                }

                return id;
            }
        }

        private long Queue(string subject, string text)
        {
            _envelope.Clear();
            byte[] from = Utf8.GetBytes(_from);
            _envelope.SetReversePath(from, 0, from.Length);
            for (int i = 0; i < _to.Length; i++)
            {
                byte[] to = Utf8.GetBytes(_to[i]);
                _envelope.AddRecipient(to, 0, to.Length, 0, null, 0, 0);
            }

            IMessageSink sink = _store.CreateSink();
            if (!sink.HasRoom(-1))
            {
                return NoRoom;
            }

            long id = sink.Open(_envelope);
            if (id < 0)
            {
                return NoRoom;
            }

            DateTime date;
            if (!_clock.TryGetUtcNow(out date))
            {
                date = DateTime.MinValue;
            }

            string token = QueueId.Format(id) + "." + _random.Next(int.MaxValue).ToString();
            _writer.Attach(sink);
            _builder.Write(_writer, _from, _to, subject, date, token + "@" + _hostName, new ByteSource(Utf8.GetBytes(text)), null, "=_" + token);
            _writer.Flush();
            if (_writer.Failed || !sink.Commit())
            {
                sink.Abort();
                return NoRoom;
            }

            return id;
        }
    }
}

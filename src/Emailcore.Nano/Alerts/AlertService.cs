using System;
using Emailcore.Nano.Config;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Alerts
{
    /// <summary>
    /// The one call a board's code makes to send mail: <see cref="Send(Alert)"/> checks the alert, passes it through
    /// storm control, composes it (RFC 5322 and MIME, <see cref="MessageBuilder"/>), commits it to the spool and
    /// returns at once with the queue id or the reason it was not queued. It never touches the network (the relay
    /// delivers later, with retries) and never throws for an argument it can describe. Before the wall clock is
    /// known the alert is committed all the same and gets its Date later (AlertService.Dating.cs). Thread-safe;
    /// its buffers are allocated once.
    /// </summary>
    public sealed partial class AlertService
    {
        /// <summary>To and Cc addresses one alert may have.</summary>
        public const int MaxRecipients = 16;

        private const int BufferBytes = 256;

        private readonly object _lock = new object();
        private readonly Spool.Spool _spool;
        private readonly IClock _clock;
        private readonly IRandom _random;
        private readonly ILog _log;
        private readonly Mailbox _from;
        private readonly Mailbox[] _defaultTo;
        private readonly string _hostName;
        private readonly bool _eightBit;
        private readonly StormControl _storm;
        private readonly MessageBuilder _builder = new MessageBuilder(BufferBytes);
        private readonly MessageParts _parts = new MessageParts();
        private readonly AlertSubmission _submission;
        private readonly Envelope _envelope;
        private readonly int _envelopeBytes;
        private readonly int _maxRecipients;
        private readonly byte[] _token = new byte[8];

        /// <param name="hostName">The right side of Message-IDs: our FQDN, or the sender's domain.</param>
        /// <param name="envelopeBytes">Room for the sender and all recipients' addresses of one alert.</param>
        /// <param name="maxRecipients">The most recipients one alert may have, at most <see cref="MaxRecipients"/>.</param>
        public AlertService(Spool.Spool spool, IClock clock, IRandom random, ILog log, Mailbox from, Mailbox[] defaultTo, string hostName, StormControl storm, bool eightBit,
            int envelopeBytes, int maxRecipients)
        {
            _envelopeBytes = envelopeBytes;
            _maxRecipients = maxRecipients < MaxRecipients ? maxRecipients : MaxRecipients;
            _envelope = new Envelope(_envelopeBytes, _maxRecipients);
            _spool = spool;
            _clock = clock;
            _random = random;
            _log = log;
            _from = from;
            _defaultTo = defaultTo;
            _hostName = hostName;
            _storm = storm;
            _eightBit = eightBit;
            _submission = new AlertSubmission(spool, BufferBytes);
            _boot = NewToken();
            _parts.From = from;
            lock (_lock)
            {
                RecoverUndated();
            }
        }

        /// <summary>
        /// The service as main.cf sets it up: alert_sender, alert_recipients, alert_rate_limit, alert_rate_window,
        /// alert_key_limit, alert_dedupe_window, alert_8bitmime. Throws <see cref="ConfigException"/> (file:line)
        /// for a sender or recipient that is not an address.
        /// </summary>
        public static AlertService Create(MainConfig config, Spool.Spool spool, IClock clock, IRandom random, ILog log)
        {
            string sender = config.GetString(Parameters.AlertSender);
            Mailbox from = Mailbox.Parse(sender);
            if (from == null)
            {
                throw new ConfigException(config.FileName, config.LineOf(Parameters.AlertSender),
                    "alert_sender: \"" + sender + "\" is not an address (user@domain, or Name <user@domain>)");
            }

            string[] list = config.GetList(Parameters.AlertRecipients);
            int line = config.LineOf(Parameters.AlertRecipients);
            // An alert's envelope is the size the server's is (smtpd_envelope_buffer_size, smtpd_recipient_limit), at most MaxRecipients.
            int limit = config.GetCount(Parameters.SmtpdRecipientLimit);
            limit = limit < MaxRecipients ? limit : MaxRecipients;
            if (list.Length > limit)
            {
                throw new ConfigException(config.FileName, line, "alert_recipients: more than " + limit.ToString() + " addresses");
            }

            var to = new Mailbox[list.Length];
            for (int i = 0; i < list.Length; i++)
            {
                if (!Mailbox.IsValidAddress(list[i]))
                {
                    throw new ConfigException(config.FileName, line, "alert_recipients: \"" + list[i] + "\" is not an address (user@domain)");
                }

                to[i] = new Mailbox(list[i], null);
            }

            string host = config.GetString(Parameters.Myhostname);
            if (host.Length == 0)
            {
                host = from.Address.Substring(from.Address.LastIndexOf('@') + 1);
            }

            var storm = new StormControl(config.GetCount(Parameters.AlertKeyLimit), config.GetCount(Parameters.AlertRateLimit),
                (long)config.GetSeconds(Parameters.AlertRateWindow) * 1000, (long)config.GetSeconds(Parameters.AlertDedupeWindow) * 1000);
            return new AlertService(spool, clock, random, log, from, to, host, storm, config.GetBool(Parameters.Alert8BitMime),
                config.GetCount(Parameters.SmtpdEnvelopeBufferSize), limit);
        }

        /// <summary>A problem alert to the default recipients.</summary>
        public AlertOutcome Send(string key, string subject, string body)
        {
            return Send(new Alert(key, subject, body));
        }

        /// <summary>Checks, storm-controls, composes and queues the alert; never blocks on the network.</summary>
        public AlertOutcome Send(Alert alert)
        {
            if (alert == null || alert.Subject == null)
            {
                return Refused(AlertStatus.InvalidArgument, "an alert needs a subject");
            }

            if (!HeaderWriter.IsSafe(alert.Key))
            {
                return Refused(AlertStatus.InvalidArgument, "Key: a line break in the key");
            }

            lock (_lock)
            {
                try
                {
                    return Queue(alert);
                }
                catch (StoreException e)
                {
                    _submission.Abandon();
                    return Refused(AlertStatus.NoRoom, "the spool failed: " + e.Message);
                }
            }
        }

        private AlertOutcome Queue(Alert alert)
        {
            AlertOutcome refused = default(AlertOutcome);
            Mailbox[] to = alert.To == null ? _defaultTo : Parse(alert.To, "To", out refused);
            if (to == null)
            {
                return refused;
            }

            Mailbox[] cc = alert.Cc == null ? null : Parse(alert.Cc, "Cc", out refused);
            if (alert.Cc != null && cc == null)
            {
                return refused;
            }

            int count = to.Length + (cc == null ? 0 : cc.Length);
            if (to.Length == 0)
            {
                return Refused(AlertStatus.NoRecipients, "the alert names no recipient and alert_recipients is empty");
            }

            if (count > _maxRecipients)
            {
                return Refused(AlertStatus.InvalidArgument, "more than " + _maxRecipients.ToString() + " recipients");
            }

            MessageParts m = _parts;
            m.To = to;
            m.Cc = cc;
            m.Subject = alert.Subject;
            m.Attachments = alert.Attachments;
            m.AllowEightBit = _eightBit;
            string field;
            MessageProblem problem = MessageBuilder.Check(m, out field);
            if (problem != MessageProblem.None)
            {
                return Refused(problem == MessageProblem.LineBreakInHeader ? AlertStatus.InvalidHeader : problem == MessageProblem.InvalidAddress
                    ? AlertStatus.InvalidAddress : AlertStatus.InvalidArgument, field + ": " + Describe(problem));
            }

            if (!FillEnvelope(to, cc))
            {
                return Refused(AlertStatus.InvalidArgument, "the recipients' addresses are longer than " + _envelopeBytes.ToString() + " bytes in all");
            }

            string body = alert.Body == null ? string.Empty : alert.Body;
            long now = _clock.MonotonicMilliseconds;
            int content = (StormControl.Hash(alert.Subject) * 31) ^ StormControl.Hash(body);
            int slot = _storm.Slot(alert.Key == null ? alert.Subject : alert.Key, now);
            StormVerdict verdict = _storm.Judge(slot, content, alert.State, now);
            if (verdict != StormVerdict.Send)
            {
                _storm.Suppressed(slot, now);
                string held = _storm.SuppressedCount(slot).ToString() + " held back (" + (verdict == StormVerdict.Duplicate ? "duplicate" : "rate") + ")";
                _log.Write(LogLevel.Info, "alert " + KeyOf(alert) + ": suppressed by storm control, " + held);
                return Refused(AlertStatus.Suppressed, held);
            }

            m.Body = new ByteSource(Utf8.GetBytes(SuppressedNote(slot, now) + body));
            TransferEncoding encoding = _builder.ChooseEncoding(m);
            _envelope.Body = encoding == TransferEncoding.EightBit ? BodyType.EightBitMime : BodyType.SevenBit;
            DateTime date;
            bool dated = _clock.TryGetUtcNow(out date);
            m.Date = dated ? date : DateTime.MinValue;
            string token = NewToken();
            m.MessageId = token + "@" + _hostName;
            m.Boundary = "=_" + token;
            MessageWriter w = _submission.Begin(_envelope, -1);
            if (w == null)
            {
                return NoRoom(alert);
            }

            if (!dated)
            {
                WriteUndatedMarker(w, now);
            }

            _builder.Write(w, m, encoding);
            long id = _submission.End();
            if (id < 0)
            {
                return NoRoom(alert);
            }

            if (!dated)
            {
                Hold(id, count);
            }

            _storm.Sent(slot, content, alert.State, now);
            _log.Write(LogLevel.Info, "alert " + KeyOf(alert) + ": queued as " + QueueId.Format(id) + (dated ? string.Empty : ", held until the clock is set"));
            return new AlertOutcome(AlertStatus.Queued, id, null);
        }

        private Mailbox[] Parse(string[] addresses, string field, out AlertOutcome refused)
        {
            refused = default(AlertOutcome);
            var list = new Mailbox[addresses.Length];
            for (int i = 0; i < addresses.Length; i++)
            {
                if (!HeaderWriter.IsSafe(addresses[i]))
                {
                    refused = Refused(AlertStatus.InvalidHeader, field + ": a line break in an address");
                    return null;
                }

                list[i] = Mailbox.Parse(addresses[i]);
                if (list[i] == null)
                {
                    refused = Refused(AlertStatus.InvalidAddress, field + ": \"" + addresses[i] + "\" is not an address");
                    return null;
                }
            }

            return list;
        }

        private bool FillEnvelope(Mailbox[] to, Mailbox[] cc)
        {
            _envelope.Clear();
            byte[] from = Ascii.GetBytes(_from.Address);
            bool fits = _envelope.SetReversePath(from, 0, from.Length);
            for (int i = 0; fits && i < to.Length + (cc == null ? 0 : cc.Length); i++)
            {
                byte[] address = Ascii.GetBytes(i < to.Length ? to[i].Address : cc[i - to.Length].Address);
                fits = _envelope.AddRecipient(address, 0, address.Length, 0, null, 0, 0);
            }

            return fits;
        }

        /// <summary>"(37 more like this since 14:02 UTC, held back by storm control)" and an empty line, or nothing.</summary>
        private string SuppressedNote(int slot, long now)
        {
            int count = _storm.SuppressedCount(slot);
            if (count == 0)
            {
                return string.Empty;
            }

            long age = now - _storm.SuppressedSince(slot);
            DateTime wall;
            string when = _clock.TryGetUtcNow(out wall)
                ? "since " + Rfc5322Date.TimeOfDay(wall.AddMilliseconds(-age), wall)
                : "in the " + Duration(age) + " before this alert";
            return "(" + count.ToString() + " more like this " + when + ", held back by storm control)\n\n";
        }

        private static string Duration(long milliseconds)
        {
            long seconds = milliseconds / 1000;
            if (seconds < 120)
            {
                return seconds.ToString() + " seconds";
            }

            return seconds < 7200 ? (seconds / 60).ToString() + " minutes" : (seconds / 3600).ToString() + " hours";
        }

        private AlertOutcome NoRoom(Alert alert)
        {
            _log.Write(LogLevel.Warning, "alert " + KeyOf(alert) + ": no room in the spool");
            return Refused(AlertStatus.NoRoom, "no room in the spool");
        }

        private static string KeyOf(Alert alert)
        {
            return alert.Key == null ? "\"" + alert.Subject + "\"" : alert.Key;
        }

        private static AlertOutcome Refused(AlertStatus status, string detail)
        {
            return new AlertOutcome(status, -1, detail);
        }

        private static string Describe(MessageProblem problem)
        {
            switch (problem)
            {
                case MessageProblem.InvalidAddress:
                    return "not an address";
                case MessageProblem.LineBreakInHeader:
                    return "a line break in a header value";
                case MessageProblem.InvalidContentType:
                    return "not a media type (type/subtype)";
                default:
                    return "no recipients";
            }
        }

        /// <summary>16 hex digits from the random source: Message-IDs, boundaries, the boot id.</summary>
        private string NewToken()
        {
            _random.NextBytes(_token, 0, _token.Length);
            long value = 0;
            for (int i = 0; i < _token.Length; i++)
            {
                value = (value << 8) | _token[i];
            }

            string hex = QueueId.Format(value & long.MaxValue);
            while (hex.Length < 16)
            {
                hex = "0" + hex;
            }

            return hex;
        }
    }
}

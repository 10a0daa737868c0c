using System;
using System.Threading;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Spool;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Relay
{
    /// <summary>
    /// Takes committed messages from the spool and delivers each due recipient: locally into a Maildir (after
    /// alias and list expansion), or over SMTP grouped by next hop. Outcomes are recorded per recipient; failures
    /// and expiries produce RFC 3464 bounces, committed before the failed states are recorded (the spool may
    /// recycle a message as soon as all its recipients are final). One runner delivers one destination at a time,
    /// as a board needs; for smtp_delivery_concurrency above 1 the host runs several, each owning the messages
    /// whose queue id falls in its partition, so no message is ever handled by two at once.
    /// </summary>
    public sealed class QueueRunner
    {
        /// <summary>How long the runner sleeps when nothing is due and nothing arrives.</summary>
        public const int IdleMilliseconds = 5000;

        // DateTime ticks of 1970-01-01T00:00:00Z, for Maildir's Unix-time file names.
        private const long UnixEpochTicks = 621355968000000000;

        private readonly Spool.Spool _spool;

        // This runner's own wake-up: every commit sets every runner's (Spool.Subscribe).
        private readonly AutoResetEvent _changed;
        private readonly Router _router;
        private readonly AliasExpansion _aliases;
        private readonly MaildirDelivery _maildir;
        private readonly SmtpDelivery _smtp;
        private readonly DeliveryStatusNotification _dsn;
        private readonly Backoff _backoff;
        private readonly MailLog _log;
        private readonly ILog _events;
        private readonly IClock _clock;
        private readonly int _hopcountLimit;
        private readonly Envelope _envelope;
        private readonly Envelope _resubmit;
        private readonly byte[] _buffer;
        private readonly DeliveryResult[] _results;
        private readonly int[] _batch;
        private readonly bool[] _done;
        private readonly RecipientReport[] _reports;
        private readonly bool[] _reported;

        // Per-recipient monotonic milliseconds of this attempt, for Postfix's delays=a/b/c/d.
        private readonly long[] _started;
        private readonly long[] _setup;
        private readonly long[] _finished;
        private long _activeTicks;
        private long _activeMilliseconds;
        private readonly int _partition;
        private readonly int _partitions;
        private bool _stopping;

        public QueueRunner(Spool.Spool spool, Router router, AliasExpansion aliases, MaildirDelivery maildir, SmtpDelivery smtp,
            DeliveryStatusNotification dsn, Backoff backoff, ILog log, IClock clock, int hopcountLimit, int envelopeBytes, int maxRecipients,
            byte[] scratch, int partition, int partitions)
        {
            _partition = partition;
            _partitions = partitions;
            _spool = spool;
            _changed = spool.Subscribe();
            _router = router;
            _aliases = aliases;
            _maildir = maildir;
            _smtp = smtp;
            _dsn = dsn;
            _backoff = backoff;
            _log = new MailLog(log);
            _events = log;
            _clock = clock;
            _hopcountLimit = hopcountLimit;
            _envelope = new Envelope(envelopeBytes, maxRecipients);
            _resubmit = new Envelope(envelopeBytes, maxRecipients);
            _buffer = scratch;
            _results = new DeliveryResult[maxRecipients];
            for (int i = 0; i < maxRecipients; i++)
            {
                _results[i] = new DeliveryResult();
            }

            _batch = new int[maxRecipients];
            _done = new bool[maxRecipients];
            _reports = new RecipientReport[maxRecipients];
            _reported = new bool[maxRecipients];
            _started = new long[maxRecipients];
            _setup = new long[maxRecipients];
            _finished = new long[maxRecipients];
        }

        /// <summary>Runs until <see cref="Stop"/>: a pass over the queue whenever mail arrives, a flush asks, or a retry falls due.</summary>
        public void Run()
        {
            while (!_stopping)
            {
                try
                {
                    RunOnce();
                }
                catch (StoreException e)
                {
                    _events.Write(LogLevel.Error, "queue runner: " + e.Message);
                }
                catch (OutOfMemoryException)
                {
                    Abandon();
                }

                _changed.WaitOne(IdleMilliseconds, false);
            }
        }

        public void Stop()
        {
            _stopping = true;
            _changed.Set();
        }

        /// <summary>
        /// Out of memory in the middle of a pass (a board's heap at full load) would end this thread, and with it every
        /// later delivery, without a word (the emulator's 79 KiB heap showed it): the pass is abandoned instead, the
        /// delivery in hand left unrecorded so that it is tried again, the kept connection ended, and the next pass
        /// runs as usual. Logging may find no memory either; the retry does not depend on it.
        /// </summary>
        private void Abandon()
        {
            try
            {
                _smtp.EndPass();
                _events.Write(LogLevel.Error, "queue runner: out of memory; pass abandoned, the next one tries again");
            }
            catch (OutOfMemoryException)
            {
                // Not even the log line fits; the wait before the next pass is the recovery.
            }
        }

        /// <summary>One pass: every message with a recipient due now. Without a known wall clock nothing is due (a board before SNTP).</summary>
        public void RunOnce()
        {
            QueuedMessage[] messages = _spool.Messages();
            DateTime now;
            for (int m = 0; m < messages.Length && !_stopping && _clock.TryGetUtcNow(out now); m++)
            {
                // The clock is read for each message: the ones before may have taken minutes.
                QueuedMessage message = messages[m];
                if (message.Id % _partitions == _partition && message.IsDue(now.Ticks) && _spool.LoadEnvelope(message.Id, _envelope))
                {
                    _activeTicks = now.Ticks;
                    _activeMilliseconds = _clock.MonotonicMilliseconds;
                    Deliver(message);
                }
            }

            _smtp.EndPass();
        }

        private void Deliver(QueuedMessage message)
        {
            string id = QueueId.Format(message.Id);
            IMessageSource content = _spool.OpenContent(message.Id);
            if (content == null)
            {
                return;
            }

            int count = _envelope.RecipientCount;
            for (int r = 0; r < count; r++)
            {
                _done[r] = !IsDue(message, r, _activeTicks);
                _started[r] = _activeMilliseconds;
                _setup[r] = 0;
                _finished[r] = _activeMilliseconds;
            }

            // RFC 5321 §6.3: a message that has passed too many relays is in a loop; stop it here.
            int hops = HeaderSection.CountReceived(content, _buffer);
            if (hops >= _hopcountLimit)
            {
                for (int r = 0; r < count; r++)
                {
                    if (!_done[r])
                    {
                        _results[r].Set(554, "5.4.6", "554 5.4.6 too many hops (" + hops.ToString() + " Received: fields): mail forwarding loop", "none");
                        _done[r] = true;
                    }
                    else
                    {
                        _results[r].Set(0, null, null, null);
                    }
                }

                Record(message, id, content);
                return;
            }

            for (int r = 0; r < count; r++)
            {
                _results[r].Set(0, null, null, null);
            }

            for (int r = 0; r < count; r++)
            {
                if (_done[r])
                {
                    continue;
                }

                Route route = _router.Resolve(_envelope.Recipient(r));
                if (route.IsLocal)
                {
                    _started[r] = _clock.MonotonicMilliseconds;
                    DeliverLocally(message, r, route.LocalPart, content);
                    _finished[r] = _clock.MonotonicMilliseconds;
                    _done[r] = true;
                    continue;
                }

                // Every due recipient with the same next hop goes over one connection.
                int batch = 0;
                string key = route.Key;
                for (int s = r; s < count; s++)
                {
                    if (!_done[s] && (s == r || _router.Resolve(_envelope.Recipient(s)).Key == key))
                    {
                        _batch[batch++] = s;
                        _done[s] = true;
                    }
                }

                long started = _clock.MonotonicMilliseconds;
                _smtp.Deliver(route, _envelope, _batch, batch, content, _results);
                long finished = _clock.MonotonicMilliseconds;
                for (int b = 0; b < batch; b++)
                {
                    _started[_batch[b]] = started;
                    _setup[_batch[b]] = _smtp.SetupMilliseconds;
                    _finished[_batch[b]] = finished;
                }
            }

            Record(message, id, content);
        }

        private static bool IsDue(QueuedMessage message, int r, long nowTicks)
        {
            RecipientState state = message.State(r);
            return state == RecipientState.Pending || (state == RecipientState.Deferred && message.NextAttemptTicks(r) <= nowTicks);
        }

        private void DeliverLocally(QueuedMessage message, int r, string localPart, IMessageSource content)
        {
            string recipient = _envelope.Recipient(r);
            try
            {
                if (_aliases != null && _aliases.IsAlias(localPart))
                {
                    if (!_aliases.Expand(localPart, Router.DomainOf(recipient)))
                    {
                        _results[r].Set(550, _aliases.ErrorStatus, "550 " + _aliases.ErrorStatus + " " + _aliases.Error, "local");
                        return;
                    }

                    string expanded = Resubmit(r, content);
                    if (expanded == null)
                    {
                        _results[r].Set(452, "4.3.1", "452 4.3.1 no room in the queue for the expansion of " + localPart, "local");
                        return;
                    }

                    _results[r].Set(250, "2.0.0", "250 2.0.0 expanded to " + expanded, "local");
                    return;
                }

                long arrivalUnix = (message.ArrivalTicks - UnixEpochTicks) / TimeSpan.TicksPerSecond;
                _maildir.Deliver(localPart, _envelope.ReversePath(), recipient, content, message.Id, r, arrivalUnix);
                _results[r].Set(250, "2.0.0", "250 2.0.0 delivered to maildir", "local");
            }
            catch (StoreException e)
            {
                _results[r].Set(451, "4.3.0", "451 4.3.0 local delivery failed: " + e.Message, "local");
            }
        }

        /// <summary>
        /// Queues the expansion as new messages, one per envelope sender: alias targets keep the original sender,
        /// list members get the list owner (RFC 5321 §3.4.2). The content is copied byte for byte. Returns the
        /// addresses for the log, or null when the spool refused.
        /// </summary>
        private string Resubmit(int r, IMessageSource content)
        {
            // RFC 3461 §4.2: each new recipient carries the original one as ORCPT, for its DSNs and the log's orig_to=.
            bool given = _envelope.OrcptLength(r) > 0;
            byte[] orcpt = given ? _envelope.Arena : Utf8.GetBytes("rfc822;" + XText.Encode(_envelope.Recipient(r)));
            int orcptOffset = given ? _envelope.OrcptOffset(r) : 0;
            int orcptLength = given ? _envelope.OrcptLength(r) : orcpt.Length;
            string summary = string.Empty;
            for (int first = 0; first < _aliases.Count; first++)
            {
                string sender = _aliases.SenderAt(first);
                bool seen = false;
                for (int k = 0; k < first; k++)
                {
                    seen |= _aliases.SenderAt(k) == sender;
                }

                if (seen)
                {
                    continue;
                }

                _resubmit.Clear();
                byte[] from = sender == null ? null : Utf8.GetBytes(sender);
                if (from == null)
                {
                    _resubmit.SetReversePath(_envelope.Arena, _envelope.ReversePathOffset, _envelope.ReversePathLength);
                }
                else
                {
                    _resubmit.SetReversePath(from, 0, from.Length);
                }

                _resubmit.Body = _envelope.Body;
                _resubmit.SmtpUtf8 = _envelope.SmtpUtf8;
                for (int k = first; k < _aliases.Count; k++)
                {
                    if (_aliases.SenderAt(k) == sender)
                    {
                        byte[] to = Utf8.GetBytes(_aliases.AddressAt(k));
                        if (!_resubmit.AddRecipient(to, 0, to.Length, 0, orcpt, orcptOffset, orcptLength))
                        {
                            return null;
                        }

                        summary += (summary.Length == 0 ? string.Empty : ", ") + _aliases.AddressAt(k);
                    }
                }

                if (!Copy(content, _resubmit))
                {
                    return null;
                }
            }

            return summary;
        }

        private bool Copy(IMessageSource content, Envelope envelope)
        {
            IMessageSink sink = _spool.CreateSink();
            long id = sink.HasRoom(content.Length) ? sink.Open(envelope) : -1;
            if (id < 0)
            {
                return false;
            }

            content.Rewind();
            int n;
            while ((n = content.Read(_buffer, 0, _buffer.Length)) > 0)
            {
                if (!sink.Write(_buffer, 0, n))
                {
                    sink.Abort();
                    return false;
                }
            }

            if (!sink.Commit())
            {
                return false;
            }

            _log.Queued(QueueId.Format(id), envelope.ReversePath(), content.Length, envelope.RecipientCount);
            return true;
        }

        /// <summary>
        /// Turns attempt results into recorded states, the notification first, then one sync. The time is the
        /// attempt's end: expiry and the next attempt count from it, and each recipient's delay from arrival to it.
        /// </summary>
        private void Record(QueuedMessage message, string id, IMessageSource content)
        {
            long endMilliseconds = _clock.MonotonicMilliseconds;
            long endTicks = _activeTicks + ((endMilliseconds - _activeMilliseconds) * TimeSpan.TicksPerMillisecond);
            long arrivalSeconds = message.ArrivalTicks / TimeSpan.TicksPerSecond;
            long endSeconds = endTicks / TimeSpan.TicksPerSecond;
            bool isBounce = _envelope.ReversePathLength == 0;
            int reports = 0;
            int count = _envelope.RecipientCount;
            for (int r = 0; r < count; r++)
            {
                _reported[r] = false;
                DeliveryResult result = _results[r];
                if (result.Code == 0)
                {
                    continue;
                }

                if (!result.Delivered && !result.Permanent && _backoff.Expired(arrivalSeconds, endSeconds, isBounce))
                {
                    result.Set(result.Code, "4.4.7", "delivery time expired; last reply: " + result.Text, result.Relay);
                    Report(r, "failed", result, ref reports);
                }
                else if (result.Permanent)
                {
                    Report(r, "failed", result, ref reports);
                }
                else if (result.Delivered && (_envelope.RecipientNotify(r) & Notify.Success) != 0 && result.Relay == "local")
                {
                    // RFC 3461 §4.1: NOTIFY=SUCCESS asks for a report on final delivery, which is ours here.
                    Report(r, "delivered", result, ref reports);
                }
            }

            // The spool's promise: a notification is committed before a recipient it reports on is final. When it
            // cannot be, those recipients stay deferred and the whole report is tried again (as Postfix does when
            // its bounce service fails); a local delivery done again lands in the same Maildir file.
            bool notified = reports == 0 || Bounce(id, message, endTicks, content, reports);
            long arrivalMilliseconds = message.ArrivalTicks / TimeSpan.TicksPerMillisecond;
            long queued = (_activeTicks / TimeSpan.TicksPerMillisecond) - arrivalMilliseconds;
            for (int r = 0; r < count; r++)
            {
                DeliveryResult result = _results[r];
                if (result.Code == 0)
                {
                    continue;
                }

                RecipientState state;
                long next = 0;
                string status;
                string reason = result.Text;
                if (!notified && _reported[r])
                {
                    state = RecipientState.Deferred;
                    status = "deferred";
                    reason = result.Text + "; the notification could not be queued, will retry";
                }
                else if (result.Delivered)
                {
                    state = RecipientState.Delivered;
                    status = result.Text.IndexOf(" expanded to ") > 0 ? "expanded" : "sent";
                }
                else if (result.Permanent || result.Status == "4.4.7")
                {
                    state = RecipientState.Failed;
                    status = "bounced";
                }
                else
                {
                    state = RecipientState.Deferred;
                    status = "deferred";
                }

                if (state == RecipientState.Deferred)
                {
                    next = _backoff.NextAttempt(arrivalSeconds, endSeconds) * TimeSpan.TicksPerSecond;
                }

                byte[] reply = Utf8.GetBytes(result.Text);
                if (!_spool.RecordState(message.Id, r, state, next, reply, 0, reply.Length))
                {
                    // The spool keeps the state in memory (the recipient is not due again in this process); said once, here.
                    _events.Write(LogLevel.Error, id + ": the " + status + " state of <" + _envelope.Recipient(r) + "> could not be recorded in the spool; not tried again until the relay restarts");
                }

                long transmission = _finished[r] - _started[r] - _setup[r];
                _log.Delivery(id, _envelope.Recipient(r), OriginalRecipient(r), result.Relay, queued, _started[r] - _activeMilliseconds, _setup[r],
                    transmission < 0 ? 0 : transmission, result.Status, status, reason);
            }

            if (!_spool.Sync())
            {
                _events.Write(LogLevel.Error, id + ": the spool could not make its delivery states durable; they hold until the relay restarts");
            }
        }

        /// <summary>The address of an ORCPT that names another recipient (an alias or list expansion), for orig_to=; else null.</summary>
        private string OriginalRecipient(int r)
        {
            string orcpt = Orcpt(r);
            if (orcpt == null)
            {
                return null;
            }

            string address = orcpt.Substring(orcpt.IndexOf(';') + 1).Trim();
            return Ascii.EqualsIgnoreCase(address, _envelope.Recipient(r)) ? null : address;
        }

        /// <summary>The ORCPT parameter as "addr-type;address" (xtext decoded), or null.</summary>
        private string Orcpt(int r)
        {
            return _envelope.OrcptLength(r) > 0 ? XText.Decode(Utf8.GetString(_envelope.Arena, _envelope.OrcptOffset(r), _envelope.OrcptLength(r))) : null;
        }

        private void Report(int r, string action, DeliveryResult result, ref int reports)
        {
            // Our own notifications: from the null sender, or the postmaster's copies from double_bounce_sender.
            bool fromNullSender = _envelope.ReversePathLength == 0 || Ascii.EqualsIgnoreCase(_envelope.ReversePath(), _dsn.DoubleBounceSender);

            // RFC 3461 §4.1 NOTIFY is the sender's wish; a notification that failed (our own DSNs carry NOTIFY=NEVER)
            // is reported to the postmaster instead (or, from double_bounce_sender, discarded with a log line),
            // failures only: successes have nobody to go to.
            if (fromNullSender ? action != "failed" : (_envelope.RecipientNotify(r) & Notify.Never) != 0)
            {
                return;
            }

            string remote = result.Relay == "local" || result.Relay == "none" ? null : result.Relay;
            _reported[r] = true;
            _reports[reports++] = new RecipientReport(_envelope.Recipient(r), Orcpt(r), action, result.Status, remote, result.Text, result.Replied);
        }

        /// <summary>
        /// Queues the notification: to the original sender from the null reverse-path (RFC 5321 §4.5.5); for a
        /// message from the null sender, which is never bounced, to 2bounce_notice_recipient from
        /// double_bounce_sender; what fails from double_bounce_sender is logged and discarded, so it never loops.
        /// False when the spool refused the notification.
        /// </summary>
        private bool Bounce(string id, QueuedMessage message, long nowTicks, IMessageSource content, int reports)
        {
            string sender = _envelope.ReversePath();
            if (Ascii.EqualsIgnoreCase(sender, _dsn.DoubleBounceSender))
            {
                for (int i = 0; i < reports; i++)
                {
                    _events.Write(LogLevel.Error, id + ": discarding undeliverable postmaster notification to <" + _reports[i].FinalRecipient + ">: " + _reports[i].Diagnostic);
                }

                return true;
            }

            bool isDouble = sender.Length == 0;
            string to = isDouble ? _dsn.NoticeRecipient : sender;
            DeliveryStatusNotification.PrepareEnvelope(_resubmit, _envelope, isDouble ? _dsn.DoubleBounceSender : null, to);
            IMessageSink sink = _spool.CreateNotificationSink();
            long dsnId = sink.Open(_resubmit);
            DateTime arrival = new DateTime(message.ArrivalTicks, DateTimeKind.Utc);
            if (dsnId < 0 || !_dsn.Write(sink, to, _envelope, id, arrival, new DateTime(nowTicks, DateTimeKind.Utc), _reports, reports, content) || !sink.Commit())
            {
                if (dsnId >= 0)
                {
                    sink.Abort();
                }

                _events.Write(LogLevel.Error, id + ": no room in the queue for the notification to <" + to + ">; "
                    + reports.ToString() + " recipient(s) it reports on stay deferred");
                return false;
            }

            _events.Write(LogLevel.Info, id + ": " + Kind(isDouble, reports) + ": " + QueueId.Format(dsnId));
            return true;
        }

        /// <summary>The notification's name in the log, as Postfix's bounce daemon names them.</summary>
        private string Kind(bool isDouble, int reports)
        {
            if (isDouble)
            {
                return "postmaster non-delivery notification";
            }

            for (int i = 0; i < reports; i++)
            {
                if (_reports[i].Action == "failed")
                {
                    return "sender non-delivery notification";
                }
            }

            return "sender delivery status notification";
        }
    }
}

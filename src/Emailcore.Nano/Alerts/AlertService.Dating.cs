using System;
using System.Threading;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Spool;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Alerts
{
    /// <summary>
    /// Alerts raised before the wall clock is known (a board before SNTP). The rule:
    /// <list type="number">
    /// <item>Such an alert is committed at once, like any other, so a reboot loses nothing. Its first line is
    /// "X-Emailcore-Undated: boot=B; uptime=T", T being the monotonic time it was raised and B this boot's random
    /// id, in place of the Date field; every recipient is then held (Deferred until DateTime.MaxValue, reply
    /// "held until the clock is set"), so the relay never sends it without a Date.</item>
    /// <item>Once the wall clock is known (looked at every second by a thread that runs only while such alerts exist,
    /// and by <see cref="DateUndated"/>), each held alert is copied into a new message whose first line is its Date,
    /// the rest byte for byte (same Message-ID); the copy is committed, then the held one is removed.</item>
    /// <item>Its Date is the wall time of its raising, now − (monotonic now − T), when B is this boot; an alert from
    /// an earlier boot (the monotonic clock restarted) is dated with the time it is copied, marked
    /// "(approximate: raised before a restart, while the clock was unknown)".</item>
    /// <item>A crash between the copy's commit and the removal leaves both: the next start dates the held one again,
    /// a duplicate with the same Message-ID, never a loss. No Date is ever written from an unknown clock, so never
    /// a 1970 date.</item>
    /// </list>
    /// Storm control needs none of this: it counts on the monotonic clock, valid from boot.
    /// </summary>
    public sealed partial class AlertService
    {
        private const string Marker = "X-Emailcore-Undated: boot=";
        private const string UptimeField = "; uptime=";
        private const string HeldReply = "held until the clock is set: an alert gets its Date first";
        private const string Approximate = "\r\n (approximate: raised before a restart, while the clock was unknown)";
        private const int PollMilliseconds = 1000;
        private const int RetryMilliseconds = 30000;

        private readonly string _boot;
        private readonly byte[] _copy = new byte[BufferBytes];
        private readonly AutoResetEvent _wake = new AutoResetEvent(false);
        private Thread _dating;
        private bool _stopping;

        /// <summary>
        /// Dates every held alert if the wall clock is known, and returns how many (0 while it is unknown). One the
        /// spool has no room to copy now stays held for the dating thread's next try.
        /// </summary>
        public int DateUndated()
        {
            lock (_lock)
            {
                bool done;
                return DateHeld(out done);
            }
        }

        /// <summary>Ends the dating thread, if it runs (a relay shutting down; tests).</summary>
        public void Stop()
        {
            _stopping = true;
            _wake.Set();
        }

        private void WriteUndatedMarker(MessageWriter w, long now)
        {
            w.Line(Marker + _boot + UptimeField + now.ToString());
        }

        private void Hold(long id, int recipients)
        {
            byte[] reply = Ascii.GetBytes(HeldReply);
            for (int r = 0; r < recipients; r++)
            {
                _spool.RecordState(id, r, RecipientState.Deferred, DateTime.MaxValue.Ticks, reply, 0, reply.Length);
            }

            _spool.Sync();
            StartDating();
        }

        /// <summary>At start: undated alerts of earlier boots, and any a crash left unheld, are held and will be dated.</summary>
        private void RecoverUndated()
        {
            QueuedMessage[] messages = _spool.Messages();
            for (int i = 0; i < messages.Length; i++)
            {
                QueuedMessage m = messages[i];
                long unused;
                string boot;
                if (m.ArrivalTicks != 0 || ReadMarker(m.Id, out boot, out unused) < 0)
                {
                    continue;
                }

                for (int r = 0; r < m.RecipientCount; r++)
                {
                    if (m.State(r) == RecipientState.Pending)
                    {
                        byte[] reply = Ascii.GetBytes(HeldReply);
                        _spool.RecordState(m.Id, r, RecipientState.Deferred, DateTime.MaxValue.Ticks, reply, 0, reply.Length);
                    }
                }

                _spool.Sync();
                StartDating();
            }
        }

        private void StartDating()
        {
            if (_dating == null && !_stopping)
            {
                _dating = new Thread(RunDating);
                _dating.Start();
            }
        }

        private void RunDating()
        {
            int wait = PollMilliseconds;
            while (!_stopping)
            {
                _wake.WaitOne(wait, false);
                lock (_lock)
                {
                    bool done = _stopping;
                    if (!done)
                    {
                        DateHeld(out done);
                    }

                    if (done)
                    {
                        // Every held alert is dated: the thread ends (the next undated alert starts another).
                        _dating = null;
                        return;
                    }

                    DateTime unused;
                    wait = _clock.TryGetUtcNow(out unused) ? RetryMilliseconds : PollMilliseconds;
                }
            }
        }

        /// <summary>The dating pass; <paramref name="done"/> when the clock is known and nothing is left held.</summary>
        private int DateHeld(out bool done)
        {
            done = false;
            DateTime wall;
            if (!_clock.TryGetUtcNow(out wall))
            {
                return 0;
            }

            long now = _clock.MonotonicMilliseconds;
            QueuedMessage[] messages = _spool.Messages();
            Envelope copy = null;
            int dated = 0;
            bool failed = false;
            for (int i = 0; i < messages.Length; i++)
            {
                QueuedMessage m = messages[i];
                string boot;
                long uptime;
                int skip;
                if (m.ArrivalTicks != 0 || (skip = ReadMarker(m.Id, out boot, out uptime)) < 0 || !_spool.LoadEnvelope(m.Id, _envelope))
                {
                    continue;
                }

                copy = copy == null ? new Envelope(_envelopeBytes, _maxRecipients) : copy;
                CopyOpenRecipients(m, copy);
                bool thisBoot = boot == _boot && uptime <= now;
                DateTime date = thisBoot ? wall.AddMilliseconds(uptime - now) : wall;
                long id = Redate(m.Id, copy, skip, m.Size, "Date: " + Rfc5322Date.Format(date) + (thisBoot ? string.Empty : Approximate));
                if (id < 0)
                {
                    failed = true;
                    _log.Write(LogLevel.Warning, QueueId.Format(m.Id) + ": no room in the spool to date the held alert; trying again later");
                    continue;
                }

                byte[] reply = Ascii.GetBytes("dated and queued as " + QueueId.Format(id));
                for (int r = 0; r < m.RecipientCount; r++)
                {
                    if (!QueuedMessage.IsFinal(m.State(r)))
                    {
                        _spool.RecordState(m.Id, r, RecipientState.Removed, 0, reply, 0, reply.Length);
                    }
                }

                _spool.Sync();
                _log.Write(LogLevel.Info, QueueId.Format(m.Id) + ": dated " + Rfc5322Date.Format(date) + ", queued as " + QueueId.Format(id));
                dated++;
            }

            done = !failed;
            return dated;
        }

        /// <summary>Commits the dated copy: the Date line, then the content after the marker line. Returns the new id or -1.</summary>
        private long Redate(long id, Envelope envelope, int skip, long size, string dateLine)
        {
            IMessageSource content = _spool.OpenContent(id);
            MessageWriter w = content == null ? null : _submission.Begin(envelope, size);
            if (w == null)
            {
                return -1;
            }

            w.Line(dateLine);
            int n;
            while ((n = content.Read(_copy, 0, _copy.Length)) > 0)
            {
                int from = skip < n ? skip : n;
                skip -= from;
                w.Append(_copy, from, n - from);
            }

            return _submission.End();
        }

        private void CopyOpenRecipients(QueuedMessage m, Envelope into)
        {
            into.Clear();
            into.SetReversePath(_envelope.Arena, _envelope.ReversePathOffset, _envelope.ReversePathLength);
            into.Body = _envelope.Body;
            for (int r = 0; r < _envelope.RecipientCount && r < m.RecipientCount; r++)
            {
                if (!QueuedMessage.IsFinal(m.State(r)))
                {
                    into.AddRecipient(_envelope.Arena, _envelope.RecipientOffset(r), _envelope.RecipientLength(r), 0, null, 0, 0);
                }
            }
        }

        /// <summary>Reads a message's marker line; returns its length with CRLF, or -1 when the message does not start with one.</summary>
        private int ReadMarker(long id, out string boot, out long uptime)
        {
            boot = null;
            uptime = 0;
            IMessageSource content = _spool.OpenContent(id);
            if (content == null)
            {
                return -1;
            }

            int have = 0;
            int n;
            while (have < _copy.Length && (n = content.Read(_copy, have, _copy.Length - have)) > 0)
            {
                have += n;
            }

            int end = -1;
            for (int i = 0; i + 1 < have && end < 0; i++)
            {
                end = _copy[i] == '\r' && _copy[i + 1] == '\n' ? i : -1;
            }

            if (end < 0 || !StartsWith(_copy, end, Marker))
            {
                return -1;
            }

            string line = Ascii.GetString(_copy, 0, end);
            int field = line.IndexOf(UptimeField);
            if (field < Marker.Length || !Ascii.TryParseDecimal(line.Substring(field + UptimeField.Length), long.MaxValue, out uptime))
            {
                return -1;
            }

            boot = line.Substring(Marker.Length, field - Marker.Length);
            return end + 2;
        }

        private static bool StartsWith(byte[] bytes, int length, string prefix)
        {
            if (length < prefix.Length)
            {
                return false;
            }

            for (int i = 0; i < prefix.Length; i++)
            {
                if (bytes[i] != prefix[i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}

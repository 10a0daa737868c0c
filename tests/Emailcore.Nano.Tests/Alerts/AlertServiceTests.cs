using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Emailcore.Nano.Alerts;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Spool;
using Emailcore.Nano.Tests.Spool;
using Emailcore.Nano.Tests.Support;
using MimeKit;
using Xunit;
using ManualClock = Emailcore.Nano.Tests.Support.ManualClock;
using SpoolQueue = Emailcore.Nano.Spool.Spool;

namespace Emailcore.Nano.Tests.Alerts
{
    /// <summary>The alert API over a real spool (on the simulated flash) and a clock the test sets, known or not.</summary>
    public sealed class AlertServiceTests : IDisposable
    {
        private readonly FlashStore _flash = new();
        private readonly ManualClock _clock = new();
        private readonly Support.ListLog _log = new();
        private SpoolQueue _spool;
        private AlertService? _alerts;

        public AlertServiceTests()
        {
            _spool = OpenSpool();
        }

        public void Dispose() => _alerts?.Stop();

        [Fact]
        public void AnAlertIsComposedCommittedAndReturnsItsQueueId()
        {
            AlertService alerts = Service("alert_rate_limit = 5");
            AlertOutcome outcome = alerts.Send("door", "Door open", "Rack 3 door opened.");
            Assert.Equal(AlertStatus.Queued, outcome.Status);
            QueuedMessage queued = Assert.Single(_spool.Messages());
            Assert.Equal(outcome.QueueId, queued.Id);
            Assert.Equal(RecipientState.Pending, queued.State(0));

            MimeMessage m = Parse(queued.Id);
            Assert.Equal("Rack 3", m.From.Mailboxes.Single().Name);
            Assert.Equal("board@lan.example", m.From.Mailboxes.Single().Address);
            Assert.Equal(new[] { "ops@example.com", "oncall@example.net" }, m.To.Mailboxes.Select(a => a.Address));
            Assert.Equal("Door open", m.Subject);
            Assert.Equal(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero), m.Date);
            Assert.Equal("auto-generated", m.Headers["Auto-Submitted"]);
            Assert.EndsWith("@lan.example", m.MessageId);
            Assert.Equal("Rack 3 door opened.\n", m.TextBody);
            Assert.Contains(_log.Lines, l => l == "alert door: queued as " + QueueId.Format(queued.Id));
        }

        [Fact]
        public void EachKeyHasItsOwnBucketAndTheNextAlertSaysHowManyWereHeldBackSinceWhen()
        {
            AlertService alerts = Service("alert_rate_limit = 2\nalert_rate_window = 60s");
            Assert.True(alerts.Send("temp", "Too hot", "41 °C").IsQueued);
            _clock.Advance(1000);
            Assert.True(alerts.Send("temp", "Too hot", "42 °C").IsQueued);
            _clock.Advance(1000);
            AlertOutcome third = alerts.Send("temp", "Too hot", "43 °C");
            Assert.Equal(AlertStatus.Suppressed, third.Status);
            Assert.Equal(-1, third.QueueId);
            Assert.Equal("1 held back (rate)", third.Detail);
            _clock.Advance(1000);
            Assert.Equal(AlertStatus.Suppressed, alerts.Send("temp", "Too hot", "44 °C").Status);

            // Another key is not held back by this one.
            Assert.True(alerts.Send("door", "Door open", "rack 3").IsQueued);

            // One token comes back every 60 s / 2 = 30 s.
            _clock.Advance(26_000);
            Assert.Equal(AlertStatus.Suppressed, alerts.Send("temp", "Too hot", "45 °C").Status);
            _clock.Advance(1000);
            AlertOutcome next = alerts.Send("temp", "Too hot", "46 °C");
            Assert.True(next.IsQueued);
            Assert.Equal("(3 more like this since 12:00 UTC, held back by storm control)\n\n46 °C\n", Parse(next.QueueId).TextBody);
            Assert.Equal(4, _spool.Messages().Length);
        }

        [Fact]
        public void AnEqualAlertWithinTheDedupeWindowIsSuppressedEvenWithTokensLeft()
        {
            AlertService alerts = Service("alert_rate_limit = 100\nalert_dedupe_window = 10m");
            Assert.True(alerts.Send("disk", "Disk full", "/data at 100%").IsQueued);
            Assert.Equal("1 held back (duplicate)", alerts.Send("disk", "Disk full", "/data at 100%").Detail);
            Assert.True(alerts.Send("disk", "Disk full", "/data at 99%").IsQueued);
            _clock.Advance(10 * 60_000);
            Assert.True(alerts.Send("disk", "Disk full", "/data at 99%").IsQueued);
        }

        [Fact]
        public void BackToNormalAlwaysGoesOutButOnlyOnceAState()
        {
            AlertService alerts = Service("alert_rate_limit = 1\nalert_rate_window = 1h");
            Assert.True(alerts.Send("pump", "Pump stopped", "pressure 0 bar").IsQueued);
            Assert.Equal(AlertStatus.Suppressed, alerts.Send("pump", "Pump stopped", "pressure 0.1 bar").Status);
            _clock.Advance(60_000);
            AlertOutcome normal = alerts.Send(new Alert("pump", "Pump running", "pressure 3 bar") { State = AlertState.Normal });
            Assert.True(normal.IsQueued, normal.Detail);
            Assert.StartsWith("(1 more like this since 12:00 UTC", Parse(normal.QueueId).TextBody);

            // Normal after normal is no news: storm control applies again (the bucket is still empty).
            Assert.Equal(AlertStatus.Suppressed, alerts.Send(new Alert("pump", "Pump running", "pressure 3.1 bar") { State = AlertState.Normal }).Status);
        }

        [Fact]
        public void RateLimitZeroLetsOnlyStateChangesThrough()
        {
            AlertService alerts = Service("alert_rate_limit = 0");
            Assert.Equal(AlertStatus.Suppressed, alerts.Send("fan", "Fan failed", "x").Status);
            Assert.Equal(AlertStatus.Suppressed, alerts.Send(new Alert("fan", "Fan ok", "y") { State = AlertState.Normal }).Status);
            Assert.Empty(_spool.Messages());
        }

        [Fact]
        public void TheKeyTableIsFixedAndNewKeysShareOneBucketWhileItIsBusy()
        {
            var storm = new StormControl(keys: 2, limit: 1, windowMilliseconds: 60_000, dedupeMilliseconds: 0);
            int a = storm.Slot("a", 0);
            storm.Sent(a, 1, AlertState.Normal, 0);
            int b = storm.Slot("b", 0);
            storm.Sent(b, 1, AlertState.Normal, 0);
            Assert.NotEqual(a, b);

            // a and b are busy (buckets empty): c and d share the extra slot, and its one bucket.
            int c = storm.Slot("c", 1);
            Assert.Equal(storm.SharedSlot, c);
            Assert.Equal(StormVerdict.Send, storm.Judge(c, 1, AlertState.Problem, 1));
            storm.Sent(c, 1, AlertState.Problem, 1);
            int d = storm.Slot("d", 2);
            Assert.Equal(c, d);
            Assert.Equal(StormVerdict.RateLimited, storm.Judge(d, 2, AlertState.Problem, 2));

            // Once a's bucket is full again and nothing is pending, its slot is as good as new: e takes it.
            Assert.Equal(a, storm.Slot("a", 30_000));
            int e = storm.Slot("e", 60_001);
            Assert.True(e == a || e == b);
            Assert.Equal(StormVerdict.Send, storm.Judge(e, 1, AlertState.Problem, 60_001));
        }

        [Fact]
        public void ASlotWithHeldBackAlertsOrAToldProblemIsNeverForgotten()
        {
            var storm = new StormControl(keys: 1, limit: 1, windowMilliseconds: 1000, dedupeMilliseconds: 0);
            int a = storm.Slot("a", 0);
            storm.Sent(a, 1, AlertState.Problem, 0);
            Assert.Equal(storm.SharedSlot, storm.Slot("b", 10_000));
            Assert.Equal(a, storm.Slot("a", 20_000));
            Assert.Equal(StormVerdict.Send, storm.Judge(a, 2, AlertState.Normal, 20_000));
        }

        [Theory]
        [InlineData("to", "not an address", AlertStatus.InvalidAddress)]
        [InlineData("to", "ops@example.com\r\nBcc: victim@example.net", AlertStatus.InvalidHeader)]
        [InlineData("cc", "Evil\nBcc: victim@example.net <x@example.com>", AlertStatus.InvalidHeader)]
        [InlineData("subject", "Door\r\nBcc: victim@example.net", AlertStatus.InvalidHeader)]
        [InlineData("subject", "Door\nContent-Type: text/html", AlertStatus.InvalidHeader)]
        [InlineData("key", "door\r\nforged log line", AlertStatus.InvalidArgument)]
        [InlineData("file", "a.csv\r\nBcc: victim@example.net", AlertStatus.InvalidHeader)]
        [InlineData("type", "text/csv\r\nBcc: victim@example.net", AlertStatus.InvalidHeader)]
        [InlineData("type", "csv", AlertStatus.InvalidArgument)]
        [InlineData("many", "", AlertStatus.InvalidArgument)]
        [InlineData("nosubject", "", AlertStatus.InvalidArgument)]
        public void BadArgumentsGetATypedAnswerAndQueueNothing(string what, string value, AlertStatus expected)
        {
            AlertService alerts = Service("");
            var alert = new Alert("door", "Door open", "x");
            switch (what)
            {
                case "to": alert.To = new[] { value }; break;
                case "cc": alert.Cc = new[] { value }; break;
                case "subject": alert.Subject = value; break;
                case "key": alert.Key = value; break;
                case "file": alert.Attachments = new[] { new Attachment(value, "text/csv", MemoryMessage.Of("a")) }; break;
                case "type": alert.Attachments = new[] { new Attachment("a.csv", value, MemoryMessage.Of("a")) }; break;
                case "many": alert.To = Enumerable.Range(0, AlertService.MaxRecipients + 1).Select(i => $"r{i}@example.com").ToArray(); break;
                case "nosubject": alert.Subject = null; break;
            }

            AlertOutcome outcome = alerts.Send(alert);
            Assert.Equal(expected, outcome.Status);
            Assert.False(string.IsNullOrEmpty(outcome.Detail));
            Assert.DoesNotContain("\n", outcome.Detail);
            Assert.Empty(_spool.Messages());
            Assert.Equal(AlertStatus.InvalidArgument, alerts.Send((Alert)null!).Status);
        }

        [Fact]
        public void NoRecipientsAnywhereIsSaidSo()
        {
            AlertService alerts = Service("alert_recipients =");
            Assert.Equal(AlertStatus.NoRecipients, alerts.Send("boot", "started", "up").Status);
            Assert.True(alerts.Send(new Alert("boot", "started", "up") { To = new[] { "Me <me@example.com>" } }).IsQueued);
        }

        [Fact]
        public void A_FullSpoolIsReportedLeavesNothingAndDoesNotCostAToken()
        {
            _spool = SpoolFixture.Open(_flash, _log, pageSize: 256, segmentSize: 2048, sizeLimit: 8192);
            AlertService alerts = Service("alert_rate_limit = 1");
            AlertOutcome full = alerts.Send("log", "Log attached", new string('x', 20_000));
            Assert.Equal(AlertStatus.NoRoom, full.Status);
            Assert.Empty(_spool.Messages());
            Assert.True(alerts.Send("log", "Log attached", "short").IsQueued);
        }

        [Fact]
        public void AnAttachmentComesFromTheFileStoreInChunks()
        {
            string dir = Path.Combine(Path.GetTempPath(), "emailcore-alert-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                byte[] csv = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"{i},{i * 7 % 13}\n")));
                File.WriteAllBytes(Path.Combine(dir, "LOG.CSV"), csv);
                Emailcore.Nano.Platform.IStoreFile file = new HostFileStore(dir).Open("LOG.CSV");
                AlertService alerts = Service("");
                AlertOutcome outcome = alerts.Send(new Alert("log", "Daily log", "attached")
                {
                    Attachments = new[] { new Attachment("log.csv", "text/csv", new StoreFileSource(file)) },
                });
                file.Close();
                Assert.True(outcome.IsQueued, outcome.Detail);
                MimePart part = (MimePart)Parse(outcome.QueueId).Attachments.Single();
                using var decoded = new MemoryStream();
                part.Content!.DecodeTo(decoded);
                Assert.Equal(csv, decoded.ToArray());
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void BeforeSntpAnAlertIsCommittedAtOnceHeldAndDatedWhenTheClockBecomesKnown()
        {
            _clock.Known = false;
            AlertService alerts = Service("alert_rate_limit = 1");
            AlertOutcome outcome = alerts.Send("boot", "Emailcore.Nano started", "up");
            Assert.True(outcome.IsQueued);
            Assert.Equal(AlertStatus.Suppressed, alerts.Send("boot", "Emailcore.Nano started", "again").Status);

            QueuedMessage held = Assert.Single(_spool.Messages());
            Assert.Equal(0, held.ArrivalTicks);
            Assert.All(Enumerable.Range(0, held.RecipientCount), r =>
            {
                Assert.Equal(RecipientState.Deferred, held.State(r));
                Assert.Equal(DateTime.MaxValue.Ticks, held.NextAttemptTicks(r));
            });
            Assert.False(held.IsDue(DateTime.MaxValue.Ticks - 1), "the relay must not send it undated");
            string undated = Content(held.Id);
            Assert.StartsWith("X-Emailcore-Undated: boot=", undated);
            Assert.DoesNotContain("\r\nDate:", undated);
            Assert.Equal(0, alerts.DateUndated());

            // SNTP answers 90 s after the alert was raised.
            _clock.Advance(90_000);
            _clock.UtcNow = new DateTime(2026, 11, 28, 14, 3, 30, DateTimeKind.Utc);
            _clock.Known = true;
            Assert.Equal(1, alerts.DateUndated());
            QueuedMessage dated = Assert.Single(_spool.Messages());
            Assert.NotEqual(held.Id, dated.Id);
            Assert.Equal(RecipientState.Pending, dated.State(0));
            Assert.Equal(_clock.UtcNow.Ticks, dated.ArrivalTicks);
            MimeMessage m = Parse(dated.Id);
            Assert.Equal(new DateTimeOffset(2026, 11, 28, 14, 2, 0, TimeSpan.Zero), m.Date);
            Assert.Equal(MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(undated.Substring(undated.IndexOf("\r\n") + 2)))).MessageId, m.MessageId);
            Assert.Equal(undated.Substring(undated.IndexOf("\r\n") + 2), Content(dated.Id).Substring(Content(dated.Id).IndexOf("\r\n") + 2));
            Assert.StartsWith("Date: Sat, 28 Nov 2026 14:02:00 +0000\r\n", Content(dated.Id));
            Assert.Equal(0, alerts.DateUndated());

            // The alert held back before SNTP is reported by the next one, its time relative to the Date.
            _clock.Advance(3_600_000);
            AlertOutcome next = alerts.Send("boot", "Emailcore.Nano started", "later");
            Assert.StartsWith("(1 more like this since 14:02 UTC", Parse(next.QueueId).TextBody);
        }

        [Fact]
        public void BeforeSntpTheHeldBackCountIsGivenRelativeToTheAlertsOwnDate()
        {
            _clock.Known = false;
            AlertService alerts = Service("alert_rate_limit = 1\nalert_rate_window = 10m");
            Assert.True(alerts.Send("door", "Door open", "1").IsQueued);
            Assert.Equal(AlertStatus.Suppressed, alerts.Send("door", "Door open", "2").Status);
            _clock.Advance(10 * 60_000);
            AlertOutcome outcome = alerts.Send("door", "Door open", "3");
            Assert.True(outcome.IsQueued);
            Assert.Contains("(1 more like this in the 10 minutes before this alert, held back by storm control)", Content(outcome.QueueId));
        }

        [Fact]
        public void AnAlertHeldAcrossARebootIsDatedWhenTheClockIsKnownAndSaysItsDateIsApproximate()
        {
            _clock.Known = false;
            Assert.True(Service("").Send("boot", "started", "first boot").IsQueued);
            _alerts!.Stop();

            // Power cut before SNTP; the next boot's monotonic clock starts again near zero.
            _flash.PowerCycle(new Random(1), corruptTornPage: false);
            _spool = OpenSpool();
            _clock.MonotonicMilliseconds = 5000;
            AlertService next = Service("");
            QueuedMessage held = Assert.Single(_spool.Messages());
            Assert.Equal(RecipientState.Deferred, held.State(0));

            _clock.UtcNow = new DateTime(2026, 11, 29, 8, 0, 0, DateTimeKind.Utc);

            _clock.Known = true;
            Assert.Equal(1, next.DateUndated());
            string dated = Content(Assert.Single(_spool.Messages()).Id);
            Assert.StartsWith("Date: Sun, 29 Nov 2026 08:00:00 +0000\r\n (approximate: raised before a restart, while the clock was unknown)\r\n", dated);
            Assert.Equal(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero), MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(dated))).Date);
        }

        [Fact]
        public void AnUndatedAlertACrashLeftUnheldIsHeldAtStart()
        {
            // What a crash between the commit and the hold leaves: a committed undated alert, recipients pending.
            _clock.Known = false;
            byte[] content = Encoding.ASCII.GetBytes("X-Emailcore-Undated: boot=00000000DEADBEEF; uptime=12\r\nFrom: <board@lan.example>\r\nTo: <ops@example.com>\r\nSubject: x\r\n\r\nx\r\n");
            long id = SpoolFixture.Receive(_spool.CreateSink(), SpoolFixture.Envelope("board@lan.example", "ops@example.com"), content);
            Assert.Equal(RecipientState.Pending, _spool.Messages().Single().State(0));

            Service("");
            QueuedMessage held = _spool.Messages().Single();
            Assert.Equal(id, held.Id);
            Assert.Equal(RecipientState.Deferred, held.State(0));
            Assert.Equal(DateTime.MaxValue.Ticks, held.NextAttemptTicks(0));
        }

        [Fact]
        public void TheDatingThreadDatesHeldAlertsOnItsOwnOnceTheClockIsKnown()
        {
            _clock.Known = false;
            AlertService alerts = Service("");
            Assert.True(alerts.Send("boot", "started", "up").IsQueued);
            _clock.UtcNow = new DateTime(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc);
            _clock.Known = true;
            DateTime end = DateTime.UtcNow.AddSeconds(30);
            while (_spool.Messages().Single().ArrivalTicks == 0 && DateTime.UtcNow < end)
            {
                Thread.Sleep(50);
            }

            Assert.StartsWith("Date: Sat, 28 Nov 2026 12:00:00 +0000\r\n", Content(_spool.Messages().Single().Id));
        }

        [Fact]
        public void ConfigurationErrorsNameTheFileAndLine()
        {
            var e = Assert.Throws<ConfigException>(() => Service("alert_sender = Rack 3 <board@lan"));
            Assert.StartsWith("main.cf:2: alert_sender:", e.Message);
            e = Assert.Throws<ConfigException>(() => Service("alert_recipients = ops@example.com, nobody"));
            Assert.StartsWith("main.cf:2: alert_recipients: \"nobody\"", e.Message);
        }

        private SpoolQueue OpenSpool() => new(_flash, _log, _clock, 256, 4096, 1 << 20, 64, 0, false);

        private AlertService Service(string settings)
        {
            string text = "myhostname = lan.example\nalert_sender = Rack 3 <board@lan.example>\nalert_recipients = ops@example.com, oncall@example.net\n" + settings + "\n";
            if (settings.StartsWith("alert_sender") || settings.StartsWith("alert_recipients"))
            {
                text = "myhostname = lan.example\n" + settings + (settings.StartsWith("alert_sender") ? "\nalert_recipients = ops@example.com\n" : "\n");
            }

            byte[] bytes = Encoding.UTF8.GetBytes(text);
            MainConfig config = MainConfig.Parse(bytes, bytes.Length, "main.cf", true);
            _alerts?.Stop();
            _alerts = AlertService.Create(config, _spool, _clock, new HostRandom(), _log);
            return _alerts;
        }

        private string Content(long id)
        {
            Emailcore.Nano.Mail.IMessageSource source = _spool.OpenContent(id)!;
            var buffer = new byte[source.Length];
            int n = 0;
            while (n < buffer.Length)
            {
                n += source.Read(buffer, n, buffer.Length - n);
            }

            return Encoding.UTF8.GetString(buffer);
        }

        private MimeMessage Parse(long id) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(Content(id))));
    }
}

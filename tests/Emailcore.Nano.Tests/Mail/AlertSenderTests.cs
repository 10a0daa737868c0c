using System.Linq;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Mail
{
    public sealed class AlertSenderTests
    {
        [Fact]
        public void BurstsAreCappedAndTheNextAlertCountsWhatWasHeldBack()
        {
            var store = new MemoryMessageStore();
            var clock = new ManualClock();
            var alerts = new AlertSender(store, clock, new HostRandom(), "board@lan.example", new[] { "ops@example.com" }, "lan.example", limit: 2, windowSeconds: 60);

            Assert.True(alerts.Send("door open", "rack 1") >= 0);
            Assert.True(alerts.Send("door open", "rack 2") >= 0);
            Assert.Equal(AlertSender.Suppressed, alerts.Send("door open", "rack 3"));
            Assert.Equal(AlertSender.Suppressed, alerts.Send("door open", "rack 4"));
            Assert.Equal(2, alerts.SuppressedCount);

            clock.Advance(60_000);
            Assert.True(alerts.Send("door closed", "all racks") >= 0);
            Assert.Equal(0, alerts.SuppressedCount);

            var committed = store.Committed;
            Assert.Equal(3, committed.Length);
            Assert.Contains("2 earlier alert(s) were suppressed", committed[2].Text.Replace("=\r\n", ""));
            Assert.Contains("Subject: door closed", committed[2].Text);
        }

        [Fact]
        public void FullSpoolIsReportedAndLeavesNothing()
        {
            var store = new MemoryMessageStore { WriteLimit = 100 };
            var alerts = new AlertSender(store, new ManualClock(), new HostRandom(), "board@lan.example", new[] { "ops@example.com" }, "lan.example", 5, 60);
            Assert.Equal(AlertSender.NoRoom, alerts.Send("too big", new string('x', 500)));
            Assert.Empty(store.Committed);
            Assert.Equal(1, store.Aborted);
        }

        [Fact]
        public void UnknownClockLeavesTheDateOut()
        {
            var store = new MemoryMessageStore();
            var alerts = new AlertSender(store, new ManualClock { Known = false }, new HostRandom(), "board@lan.example", new[] { "ops@example.com" }, "lan.example", 5, 60);
            Assert.True(alerts.Send("boot", "up") >= 0);
            Assert.DoesNotContain("\r\nDate:", Assert.Single(store.Committed).Text);
        }
    }
}

using System;
using System.IO;
using System.Linq;
using Emailcore.Nano.Config;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Relay;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Tests.Support;
using Xunit;
using SpoolQueue = Emailcore.Nano.Spool.Spool;
using static Emailcore.Nano.Tests.Spool.SpoolFixture;

namespace Emailcore.Nano.Tests.Hardening
{
    /// <summary>
    /// Issue 18 item 1, in process: the board's flash model fills in the middle of a delivery run, with a real
    /// upstream (smtp-sink); each message must reach it exactly once however many passes run on the full medium.
    /// </summary>
    public sealed class FullMediumTests : IDisposable
    {
        private const int Messages = 6;

        private readonly string _root = Path.Combine(Path.GetTempPath(), "emailcore-fullmedium-" + Guid.NewGuid().ToString("N"));
        private readonly SmtpSink _upstream = new();
        private readonly ListLog _log = new();

        public FullMediumTests()
        {
            Directory.CreateDirectory(_root);
        }

        public void Dispose()
        {
            _upstream.Dispose();
            Directory.Delete(_root, recursive: true);
            Directory.Delete(_upstream.DumpDirectory, recursive: true);
        }

        [Fact]
        public void StateRecordsTheFullFlashRefusesDoNotSendAMessageTwice()
        {
            var flash = new FlashStore();
            SpoolQueue spool = Open(flash, _log);
            IMessageSink sink = spool.CreateSink();
            for (int i = 0; i < Messages; i++)
            {
                Assert.True(Receive(sink, Envelope("a@lan.example", "b@far.example"), System.Text.Encoding.ASCII.GetBytes("Subject: m" + i + "\r\n\r\nbody\r\n")) > 0);
            }

            // The flash fills after about one state record: the rest of the run's records fail.
            flash.Capacity = (long.MaxValue / 4) - flash.FreeBytes + 150;
            QueueRunner runner = Runner(spool);
            for (int pass = 0; pass < 4; pass++)
            {
                runner.RunOnce();
            }

            Assert.Equal(Enumerable.Repeat(1, Messages), AcceptancesPerMessage());
            int unrecorded = _log.Lines.Count(l => l.Contains("could not be recorded in the spool"));
            Assert.InRange(unrecorded, 1, Messages - 1);

            // Space comes back: nothing is sent again, and every message is finished.
            flash.Capacity = long.MaxValue / 4;
            runner.RunOnce();
            Assert.Equal(Enumerable.Repeat(1, Messages), AcceptancesPerMessage());
            Assert.Empty(spool.Messages());
            Assert.Equal(unrecorded, _log.Lines.Count(l => l.Contains("could not be recorded in the spool")));
        }

        /// <summary>How many times the upstream accepted each message m0..m5.</summary>
        private int[] AcceptancesPerMessage()
        {
            var received = _upstream.Messages();
            return Enumerable.Range(0, Messages).Select(i => received.Count(m => m.Content.Contains("Subject: m" + i + "\r\n") || m.Content.Contains("Subject: m" + i + "\n"))).ToArray();
        }

        private QueueRunner Runner(SpoolQueue spool)
        {
            var config = new MainConfig(board: false);
            var clock = new HostClock();
            var random = new HostRandom();
            var network = new HostNetwork(TlsSettings.From(config));
            var router = new Router(new[] { "lan.example" }, NextHop.Parse("[127.0.0.1]:" + _upstream.Port), DomainMap.Empty, "transport_maps", OwnListeners.None);
            var smtp = new SmtpDelivery(new MailRouter(DnsResolver.Create(config, network, random, clock, _log), random, false),
                new SmtpClient(network, clock, ClientSettings.From(config), 8), TlsLevel.None, TlsPolicyTable.Empty, false, SaslPasswords.Empty, new AuthFailures(), OwnListeners.None, _log, clock, null);
            var scratch = new byte[1024];
            return new QueueRunner(spool, router, null, new MaildirDelivery(new HostFileSystem(_root), "mail", "lan.example", scratch), smtp,
                new DeliveryStatusNotification("lan.example", random, 65536, scratch, "double-bounce", "postmaster"), new Backoff(300, 4000, 432000, 432000), _log, clock, 50, 4096, 8, scratch, 0, 1);
        }
    }
}

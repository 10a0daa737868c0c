using System;
using System.Linq;
using System.Text;
using Emailcore.Nano.Config;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Relay;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Spool;
using Emailcore.Nano.Tests.Support;
using Xunit;
using SpoolQueue = Emailcore.Nano.Spool.Spool;

namespace Emailcore.Nano.Tests.Relay
{
    /// <summary>
    /// The queue runner in process, on the manual clock: bounces, double bounces, times and log lines. Failures
    /// come from the hop limit (2 Received fields fail with hopcount_limit 2) and local delivery, so no server is needed.
    /// </summary>
    public sealed class QueueRunnerTests
    {
        private const string Looping = "Received: from a by b; Sat, 28 Nov 2026 10:00:00 +0000\r\nReceived: from c by d; Sat, 28 Nov 2026 09:00:00 +0000\r\nSubject: loop\r\n\r\nbody\r\n";
        private const string Plain = "Subject: hi\r\n\r\nbody\r\n";

        [Fact]
        public void RefusedBounceKeepsTheRecipientDeferredUntilTheBounceIsQueued()
        {
            var bench = new Bench(messageLimit: 1);
            long id = bench.Queue("bob@localhost", "x@far.example", Looping);
            bench.Runner.RunOnce();
            Assert.Equal(RecipientState.Deferred, bench.Message(id).State(0));
            Assert.Contains(QueueId.Format(id) + ": no room in the queue for the notification to <bob@localhost>; 1 recipient(s) it reports on stay deferred", bench.Log.All);
            Assert.Contains("to=<x@far.example>, relay=none", bench.Log.All);
            Assert.Contains("status=deferred (554 5.4.6 too many hops (2 Received: fields): mail forwarding loop; the notification could not be queued, will retry)", bench.Log.All);

            bench.Reopen(messageLimit: 8);
            bench.Clock.Advance(3_600_000);
            bench.Runner.RunOnce();
            Assert.True(bench.Message(id) == null || bench.Message(id).State(0) == RecipientState.Failed, bench.Log.All);
            Assert.Contains("status=bounced (554 5.4.6", bench.Log.All);
            QueuedMessage dsn = bench.Spool.Messages().Single(m => m.Id != id);
            Assert.Equal("bob@localhost", bench.EnvelopeOf(dsn.Id).Recipient(0));
        }

        [Fact]
        public void FailedBounceGoesToThePostmasterOnceFromTheDoubleBounceSender()
        {
            var bench = new Bench();
            long id = bench.Queue("", "x@far.example", Looping, Notify.Never);
            bench.Runner.RunOnce();
            QueuedMessage notice = bench.Spool.Messages().Single(m => m.Id != id);
            Envelope envelope = bench.EnvelopeOf(notice.Id);
            Assert.Equal("double-bounce@relay.example", envelope.ReversePath());
            Assert.Equal("postmaster", envelope.Recipient(0));
            Assert.Contains(QueueId.Format(id) + ": postmaster non-delivery notification: " + QueueId.Format(notice.Id), bench.Log.All);

            bench.Runner.RunOnce();
            Assert.Single(bench.Maildir("postmaster"));
            Assert.Contains("Final-Recipient: rfc822; x@far.example", bench.Maildir("postmaster")[0]);
            Assert.Empty(bench.Spool.Messages());
        }

        [Fact]
        public void FailedPostmasterNotificationIsDiscardedNotBouncedAgain()
        {
            var bench = new Bench();
            long id = bench.Queue("double-bounce@relay.example", "x@far.example", Looping, Notify.Never);
            bench.Runner.RunOnce();
            Assert.Empty(bench.Spool.Messages());
            Assert.Contains(QueueId.Format(id) + ": discarding undeliverable postmaster notification to <x@far.example>: 554 5.4.6", bench.Log.All);
            Assert.DoesNotContain("notification: ", bench.Log.All);
        }

        [Fact]
        public void SuccessNotificationIsNamedAsSuch()
        {
            var bench = new Bench();
            long id = bench.Queue("bob@localhost", "alice@localhost", Plain, Notify.Success);
            bench.Runner.RunOnce();
            Assert.Single(bench.Maildir("alice"));
            Assert.Contains(QueueId.Format(id) + ": sender delivery status notification: ", bench.Log.All);
            Assert.DoesNotContain("non-delivery", bench.Log.All);
        }

        [Fact]
        public void DelayCoversTheAttemptAndBackoffCountsFromItsEnd()
        {
            var bench = new Bench();
            long id = bench.Queue("bob@localhost", "alice@localhost", Plain);
            DateTime arrival = new DateTime(bench.Message(id).ArrivalTicks, DateTimeKind.Utc);
            bench.Clock.Advance(10_000);
            bench.Disk.Milliseconds = 3_000;
            bench.Disk.Fail = true;
            bench.Runner.RunOnce();
            Assert.Contains("to=<alice@localhost>, relay=local, delay=13, delays=10/0/0/3.0, dsn=4.3.0, status=deferred", bench.Log.All);

            // The next attempt waits the message's age at the attempt's end (13 s), clamped to minimal_backoff_time (60 s).
            DateTime end = arrival.AddSeconds(13);
            Assert.Equal(end.AddSeconds(60).Ticks / TimeSpan.TicksPerSecond, bench.Message(id).NextAttemptTicks(0) / TimeSpan.TicksPerSecond);
        }

        [Fact]
        public void ExpansionsLogTheFullAddressAndTheOriginalRecipient()
        {
            var bench = new Bench(aliases: "team: alice\n");
            bench.Queue("bob@localhost", "team@localhost", Plain);
            bench.Runner.RunOnce();
            Assert.Contains("to=<team@localhost>, relay=local", bench.Log.All);
            Assert.Contains("status=expanded (250 2.0.0 expanded to alice@localhost)", bench.Log.All);
            bench.Runner.RunOnce();
            Assert.Contains("to=<alice@localhost>, orig_to=<team@localhost>, relay=local", bench.Log.All);
            Assert.StartsWith("Return-Path: <bob@localhost>\r\nDelivered-To: alice@localhost\r\n", bench.Maildir("alice").Single());
        }

        /// <summary>A Maildir medium that takes its time and can refuse the final rename, moving the manual clock.</summary>
        [Fact]
        public void OutOfMemoryInAPassIsLoggedAndTheNextPassDelivers()
        {
            var bench = new Bench();
            bench.Files.Store("mail/bob/tmp").AppendsBeforeOutOfMemory = 0;
            long id = bench.Queue("alice@localhost", "bob@localhost", Plain);
            var runner = new System.Threading.Thread(bench.Runner.Run);
            runner.Start();
            try
            {
                Assert.True(System.Threading.SpinWait.SpinUntil(() => bench.Log.All.Contains("queue runner: out of memory; pass abandoned, the next one tries again"), TimeSpan.FromSeconds(30)), bench.Log.All);

                // Without the catch the thread has ended here, and this commit would wake nobody.
                bench.Queue("alice@localhost", "carol@localhost", Plain);
                Assert.True(System.Threading.SpinWait.SpinUntil(() => bench.Log.All.Contains("to=<bob@localhost>, relay=local"), TimeSpan.FromSeconds(30)), bench.Log.All);
                Assert.Single(bench.Maildir("bob"));
                Assert.Null(bench.Message(id));
            }
            finally
            {
                bench.Runner.Stop();
                runner.Join();
            }
        }

        private sealed class SlowDisk : IFileSystem
        {
            private readonly MemoryFileSystem _files;
            private readonly ManualClock _clock;

            public SlowDisk(MemoryFileSystem files, ManualClock clock)
            {
                _files = files;
                _clock = clock;
            }

            public int Milliseconds { get; set; }

            public bool Fail { get; set; }

            public IFileStore OpenStore(string path) => _files.OpenStore(path);

            public void Move(IFileStore from, string name, IFileStore to)
            {
                _clock.Advance(Milliseconds);
                if (Fail)
                {
                    throw new StoreException("medium refused the rename");
                }

                _files.Move(from, name, to);
            }
        }

        private sealed class Bench
        {
            private readonly FlashStore _store = new();
            private readonly MemoryFileSystem _files = new();
            private readonly string _aliases;

            public Bench(string aliases = "", int messageLimit = 16)
            {
                _aliases = aliases;
                Disk = new SlowDisk(_files, Clock);
                Reopen(messageLimit);
            }

            public ManualClock Clock { get; } = new();

            public ListLog Log { get; } = new();

            public SlowDisk Disk { get; }

            public MemoryFileSystem Files => _files;

            public SpoolQueue Spool { get; private set; } = null!;

            public QueueRunner Runner { get; private set; } = null!;

            /// <summary>A new spool on the same medium (recovering what is there), with its own message limit, and a runner on it.</summary>
            public void Reopen(int messageLimit)
            {
                Spool = new SpoolQueue(_store, Log, Clock, 256, 4096, 1 << 20, messageLimit, 0, false);
                var config = new MainConfig(board: false);
                var network = new HostNetwork(TlsSettings.From(config));
                var random = new HostRandom();
                var router = new Router(new[] { "localhost" }, null, DomainMap.Empty, "transport_maps", OwnListeners.None);
                byte[] table = Encoding.UTF8.GetBytes(_aliases);
                AliasExpansion? expansion = _aliases.Length == 0 ? null : new AliasExpansion(Aliases.Parse(table, table.Length, "aliases"), router, "relay.example", 8);
                var smtp = new SmtpDelivery(new MailRouter(DnsResolver.Create(config, network, random, Clock, Log), random, false),
                    new SmtpClient(network, Clock, ClientSettings.From(config), 8), TlsLevel.None, TlsPolicyTable.Empty, false, SaslPasswords.Empty, new AuthFailures(), OwnListeners.None, Log, Clock, null);
                var scratch = new byte[512];
                Runner = new QueueRunner(Spool, router, expansion, new MaildirDelivery(Disk, "mail", "relay.example", scratch), smtp,
                    new DeliveryStatusNotification("relay.example", random, 50_000, scratch, "double-bounce", "postmaster"),
                    new Backoff(60, 3600, 86400, 86400), Log, Clock, 2, 1024, 8, scratch, 0, 1);
            }

            public long Queue(string from, string to, string content, int notify = 0)
            {
                var envelope = new Envelope(1024, 8);
                byte[] path = Encoding.UTF8.GetBytes(from);
                envelope.SetReversePath(path, 0, path.Length);
                byte[] address = Encoding.UTF8.GetBytes(to);
                envelope.AddRecipient(address, 0, address.Length, notify, null, 0, 0);
                IMessageSink sink = Spool.CreateSink();
                long id = sink.Open(envelope);
                byte[] bytes = Encoding.UTF8.GetBytes(content);
                Assert.True(id >= 0 && sink.Write(bytes, 0, bytes.Length) && sink.Commit());
                return id;
            }

            public QueuedMessage Message(long id) => Spool.Messages().SingleOrDefault(m => m.Id == id)!;

            public Envelope EnvelopeOf(long id)
            {
                var envelope = new Envelope(1024, 8);
                Assert.True(Spool.LoadEnvelope(id, envelope));
                return envelope;
            }

            public string[] Maildir(string localPart)
            {
                FlashStore folder = _files.Store("mail/" + localPart + "/new");
                return folder.Names.Select(n => Encoding.UTF8.GetString(folder.Bytes(n))).ToArray();
            }
        }
    }
}

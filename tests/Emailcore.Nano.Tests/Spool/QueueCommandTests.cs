using System;
using System.IO;
using System.Linq;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Spool;
using Emailcore.Nano.Tests.Support;
using Xunit;
using static Emailcore.Nano.Tests.Spool.SpoolFixture;
using SpoolQueue = Emailcore.Nano.Spool.Spool;

namespace Emailcore.Nano.Tests.Spool
{
    /// <summary>The queue verbs of the real `emailcore` program against a real spool directory.</summary>
    public sealed class QueueCommandTests : IDisposable
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "emailcore-queue-" + Guid.NewGuid().ToString("N"));
        private readonly string _config;
        private readonly string _spool;

        public QueueCommandTests()
        {
            _spool = Path.Combine(_directory, "spool");
            Directory.CreateDirectory(_directory);
            _config = Path.Combine(_directory, "main.cf");
            File.WriteAllText(_config, "queue_directory = " + _spool + "\nspool_segment_size = 65536\n");
        }

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        [Fact]
        public void QueueListsMessagesWithRecipientStatesAndReplies()
        {
            (long first, long second) = Populate();
            RunResult result = Run.Emailcore("queue", "--config", _config);
            Assert.True(result.ExitCode == 0, result.ToString());
            string output = result.StandardOutput;
            Assert.Contains(Emailcore.Nano.Mail.QueueId.Format(first), output);
            Assert.Contains(Emailcore.Nano.Mail.QueueId.Format(second), output);
            Assert.Contains("<alice@lan>", output);
            Assert.Contains("bob@example.com  deferred, attempts 1, next 2099-01-01 00:00:00Z", output);
            Assert.Contains("(451 4.7.1 greylisted, try again)", output);
            Assert.Contains("carol@example.org  delivered, attempts 1", output);
            Assert.Contains("dave@example.net  pending", output);
            Assert.Contains("-- 4 Kbytes in 2 Requests.", output);
        }

        [Fact]
        public void DeleteRemovesOneMessageAndRejectsUnknownIds()
        {
            (long first, long second) = Populate();
            RunResult deleted = Run.Emailcore("queue", "delete", Emailcore.Nano.Mail.QueueId.Format(first), "--config", _config);
            Assert.True(deleted.ExitCode == 0, deleted.ToString());
            Assert.Contains("removed", deleted.StandardOutput);
            string listing = Run.Emailcore("queue", "--config", _config).StandardOutput;
            Assert.DoesNotContain(Emailcore.Nano.Mail.QueueId.Format(first), listing);
            Assert.Contains(Emailcore.Nano.Mail.QueueId.Format(second), listing);

            RunResult again = Run.Emailcore("queue", "delete", Emailcore.Nano.Mail.QueueId.Format(first), "--config", _config);
            Assert.Equal(1, again.ExitCode);
            Assert.Contains("no such message", again.StandardError);
            RunResult bad = Run.Emailcore("queue", "delete", "not-hex", "--config", _config);
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains("is not a queue id", bad.StandardError);
        }

        [Fact]
        public void FlushMakesDeferredRecipientsDueNow()
        {
            Populate();
            RunResult flushed = Run.Emailcore("flush", "--config", _config);
            Assert.True(flushed.ExitCode == 0, flushed.ToString());
            Assert.Contains("1 deferred recipient is due now", flushed.StandardOutput);
            Assert.Contains("deferred, attempts 1, next now", Run.Emailcore("queue", "--config", _config).StandardOutput);
        }

        [Fact]
        public void WritingVerbsRefuseASpoolHeldByAnotherProcess()
        {
            Populate();
            using var held = new FileStream(Path.Combine(_spool, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            RunResult flushed = Run.Emailcore("flush", "--config", _config);
            Assert.Equal(75, flushed.ExitCode);
            Assert.Contains("in use by another emailcore process", flushed.StandardError);
            RunResult deleted = Run.Emailcore("queue", "delete", "1", "--config", _config);
            Assert.Equal(75, deleted.ExitCode);
        }

        [Fact]
        public void TheRelayExitsTemporarilyWhenAnotherProcessHoldsTheSpool()
        {
            Populate();
            File.AppendAllText(_config, "smtpd_listen =\n");
            using var held = new FileStream(Path.Combine(_spool, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            RunResult relay = Run.Emailcore("relay", "--config", _config);
            Assert.True(relay.ExitCode == 75, relay.ToString());
            Assert.Contains("in use by another emailcore process", relay.StandardError);
        }

        [Fact]
        public void SpoolCheckPassesACleanSpoolAndFailsOnDamage()
        {
            Populate();
            RunResult clean = Run.Emailcore("spool", "check", "--config", _config);
            Assert.True(clean.ExitCode == 0, clean.ToString());
            Assert.Contains("2 queued messages", clean.StandardOutput);
            Assert.Contains("spool: ok", clean.StandardOutput);

            string segment = Directory.GetFiles(_spool, "S*.SPL").Single();
            byte[] bytes = File.ReadAllBytes(segment);
            bytes[bytes.Length - 100] ^= 0xFF;
            File.WriteAllBytes(segment, bytes);
            RunResult damaged = Run.Emailcore("spool", "check", "--config", _config);
            Assert.Equal(1, damaged.ExitCode);
            Assert.Contains("CRC mismatch", damaged.StandardError);
            Assert.Contains("spool: damaged", damaged.StandardOutput);
        }

        [Fact]
        public void EmptyAndMissingSpools()
        {
            RunResult missing = Run.Emailcore("queue", "--config", _config);
            Assert.True(missing.ExitCode == 0, missing.ToString());
            Assert.Contains("nothing is queued", missing.StandardOutput);
            Directory.CreateDirectory(_spool);
            Assert.Contains("Mail queue is empty", Run.Emailcore("queue", "--config", _config).StandardOutput);
            Assert.Equal(0, Run.Emailcore("spool", "check", "--config", _config).ExitCode);
        }

        [Fact]
        public void ATornTailOnDiskIsAnInterruptedWriteNotDamage()
        {
            (long first, long second) = Populate();
            string segment = Directory.GetFiles(_spool, "S*.SPL").Single();
            using (var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
            {
                // The second message's last chunk, its commit and the state records are cut off mid-record.
                file.SetLength(file.Length - 150);
            }

            string listing = Run.Emailcore("queue", "--config", _config).StandardOutput;
            Assert.Contains(Emailcore.Nano.Mail.QueueId.Format(first), listing);
            RunResult check = Run.Emailcore("spool", "check", "--config", _config);
            Assert.True(check.ExitCode == 0, check.ToString());
            Assert.Contains("torn record (an interrupted write)", check.StandardError);
            Assert.Contains("1 uncommitted messages dropped", check.StandardOutput);
            Assert.Contains("spool: ok", check.StandardOutput);
            Assert.Contains("dropped uncommitted message " + Emailcore.Nano.Mail.QueueId.Format(second), check.StandardError);
        }

        [Fact]
        public void AProcessThatDiesWithoutClosingLosesNoCommittedMessage()
        {
            // What SIGKILL leaves on the host: the kernel keeps every byte written, the process keeps nothing.
            var store = new HostFileStore(_spool);
            var spool = new SpoolQueue(store, new ListLog(), new HostClock(), 4096, 8192, 1 << 24, 1000, 0, readOnly: false);
            var committed = new System.Collections.Concurrent.ConcurrentDictionary<long, byte[]>();
            var threads = Enumerable.Range(0, 3).Select(t => new System.Threading.Thread(() =>
            {
                Emailcore.Nano.Mail.IMessageSink sink = spool.CreateSink();
                for (int i = 0; i < 15; i++)
                {
                    byte[] content = Content(700 * (i + 1), (t * 100) + i);
                    long id = Receive(sink, Envelope("t" + t + "@lan", "r@lan"), content, piece: 512);
                    if (id > 0)
                    {
                        committed[id] = content;
                    }
                }

                sink.Open(Envelope("t" + t + "@lan", "unfinished@lan"));
                sink.Write(Content(3000, t), 0, 3000);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60))));

            var log = new ListLog();
            var recovered = new SpoolQueue(new HostFileStore(_spool), log, new HostClock(), 4096, 8192, 1 << 24, 1000, 0, readOnly: false);
            Assert.Equal(45, committed.Count);
            Assert.Equal(committed.Keys.Order().ToArray(), recovered.Messages().Select(m => m.Id).ToArray());
            foreach (var message in committed)
            {
                Assert.Equal(message.Value, ReadAll(recovered.OpenContent(message.Key)!));
            }

            Assert.Equal(3, recovered.DroppedMessages);
            Assert.False(recovered.Damaged);
        }

        [Fact]
        public void BadSpoolSizesAreAClearError()
        {
            File.AppendAllText(_config, "spool_page_size = 64\n");
            Directory.CreateDirectory(_spool);
            RunResult result = Run.Emailcore("queue", "--config", _config);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("spool page size must be at least 128 bytes", result.StandardError);
        }

        /// <summary>Two messages through the real host file store: one with a deferred, a delivered and a pending recipient.</summary>
        private (long First, long Second) Populate()
        {
            var spool = new SpoolQueue(new HostFileStore(_spool), new ListLog(), new HostClock(), 4096, 65536, 1 << 20, 100, 0, readOnly: false);
            long first = Receive(spool.CreateSink(), Envelope("alice@lan", "bob@example.com", "carol@example.org"), Content(2000, 1));
            long second = Receive(spool.CreateSink(), Envelope("erin@lan", "dave@example.net"), Content(1500, 2));
            Assert.True(SetState(spool, first, 0, RecipientState.Deferred, "451 4.7.1 greylisted, try again", new DateTime(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks));
            Assert.True(SetState(spool, first, 1, RecipientState.Delivered, "250 2.0.0 queued as 12345"));
            Assert.True(spool.Sync());
            spool.Close();
            return (first, second);
        }
    }
}

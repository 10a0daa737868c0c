using System;
using System.IO;
using System.Linq;
using System.Threading;
using Emailcore.Nano.Tests.Smtp.Server;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Hardening
{
    /// <summary>
    /// Issue 18, item 1 on a real file system: a real `emailcore relay` with its spool on a small tmpfs that fills,
    /// a real smtp-sink upstream, and every message counted at the sink. Skipped only where no tmpfs can be mounted
    /// (the skip says why).
    /// </summary>
    public sealed class FullFileSystemInteropTests
    {
        private const int Messages = 8;

        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

        /// <summary>Long enough for several retry passes at a 1 s backoff: the storm of issue 18 showed within one.</summary>
        private static readonly TimeSpan Watch = TimeSpan.FromSeconds(6);

        [TmpfsFact]
        public void AFileSystemFilledByAnotherProgramNeverGetsAMessageSentTwice()
        {
            using var fs = new Tmpfs("size=2m");
            int port = RelayFixture.FreePort();
            var relay = new RelayProcess(Settings(fs, port, "queue_minfree = 65536\n"));
            SmtpSink? sink = null;
            try
            {
                for (int i = 0; i < Messages; i++)
                {
                    Assert.True(SmtpLib.Send(relay.Port, "bob@client.example", new[] { "far@far.example" }, "Subject: m" + i + "\r\n\r\nbody " + i + "\r\n").ExitCode == 0, relay.Log);
                }

                Assert.True(relay.WaitForLog("status=deferred", Wait, times: Messages), relay.Log);
                Fill(fs.Path);
                sink = new SmtpSink(port);
                Assert.True(sink.WaitFor(Messages, Wait).Count >= Messages, relay.Log);
                Assert.False(SpinWait.SpinUntil(() => sink.Messages().Count > Messages, Watch), "sent again: " + Counts(sink) + "\n" + relay.Log);
                Assert.Equal(Enumerable.Repeat(1, Messages), AcceptancesPerMessage(sink));

                // Space returns: a restart finds every message finished or still owed, and sends nothing twice.
                File.Delete(Path.Combine(fs.Path, "filler"));
                relay.Stop();
                relay.Start();
                Assert.False(SpinWait.SpinUntil(() => sink.Messages().Count > Messages, Watch), "sent again after the restart: " + Counts(sink) + "\n" + relay.Log);
                Assert.Equal(Enumerable.Repeat(1, Messages), AcceptancesPerMessage(sink));
            }
            finally
            {
                relay.Dispose();
                sink?.Dispose();
            }
        }

        [TmpfsFact]
        public void ASpoolThatFillsItsFileSystemStillDeliversAndFreesItsSpace()
        {
            using var fs = new Tmpfs("size=3m");
            int port = RelayFixture.FreePort();
            var relay = new RelayProcess(Settings(fs, port, "queue_minfree = 262144\nmessage_size_limit = 1048576\n"));
            SmtpSink? sink = null;
            try
            {
                // 100 KiB messages until the spool says 452 (its reserve reached): the medium is as full as it gets.
                string body = string.Concat(Enumerable.Repeat(new string('x', 998) + "\r\n", 100));
                int accepted = 0;
                RunResult refused;
                while ((refused = SmtpLib.Send(relay.Port, "bob@client.example", new[] { "far@far.example" }, "Subject: m" + accepted + "\r\n\r\n" + body)).ExitCode == 0 && accepted < 40)
                {
                    accepted++;
                }

                Assert.InRange(accepted, 2, 39);
                Assert.True(refused.ToString().Contains("452"), refused + "\n" + relay.Log);
                sink = new SmtpSink(port);
                Assert.True(sink.WaitFor(accepted, Wait).Count >= accepted, relay.Log);
                Assert.False(SpinWait.SpinUntil(() => sink.Messages().Count > accepted, Watch), "sent again: " + Counts(sink) + "\n" + relay.Log);
                Assert.Equal(Enumerable.Repeat(1, accepted), AcceptancesPerMessage(sink, accepted));

                // Delivered mail gave its segments back: the relay takes new mail again.
                Assert.True(SpinWait.SpinUntil(() => SmtpLib.Send(relay.Port, "bob@client.example", new[] { "far@far.example" }, "Subject: after\r\n\r\n" + body).ExitCode == 0, Wait), relay.Log);
            }
            finally
            {
                relay.Dispose();
                sink?.Dispose();
            }
        }

        private static string Settings(Tmpfs fs, int port, string more) =>
            $"queue_directory = {Path.Combine(fs.Path, "queue")}\nspool_segment_size = 262144\nrelayhost = [127.0.0.1]:{port}\n" +
            "minimal_backoff_time = 1s\nmaximal_backoff_time = 1s\n" + more;

        /// <summary>Writes a file until the file system refuses another byte.</summary>
        private static void Fill(string path)
        {
            var chunk = new byte[4096];
            using var filler = new FileStream(Path.Combine(path, "filler"), FileMode.Create, FileAccess.Write, FileShare.None, 1);
            try
            {
                while (true)
                {
                    filler.Write(chunk, 0, chunk.Length);
                }
            }
            catch (IOException)
            {
                // ENOSPC: full.
            }

            try
            {
                while (true)
                {
                    filler.Write(chunk, 0, 1);
                }
            }
            catch (IOException)
            {
            }
        }

        private static int[] AcceptancesPerMessage(SmtpSink sink, int count = Messages)
        {
            var received = sink.Messages();
            return Enumerable.Range(0, count).Select(i => received.Count(m => m.Content.Contains("Subject: m" + i + "\n"))).ToArray();
        }

        private static string Counts(SmtpSink sink) => string.Join(" ", AcceptancesPerMessage(sink));
    }
}

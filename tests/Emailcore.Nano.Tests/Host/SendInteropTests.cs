using System;
using System.IO;
using System.Linq;
using System.Text;
using Emailcore.Nano.Tests.Smtp.Server;
using Emailcore.Nano.Tests.Support;
using MimeKit;
using Xunit;

namespace Emailcore.Nano.Tests.Host
{
    /// <summary>
    /// `emailcore send` and `emailcore sendmail` as programs, through a real `emailcore relay` to Postfix's smtp-sink:
    /// the relay running (its listener), stopped (its spool, delivered at its next start), and `--now`.
    /// </summary>
    public sealed class SendInteropTests : IDisposable
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "emailcore-send-" + Guid.NewGuid().ToString("N"));
        private readonly SmtpSink _sink = new();
        private readonly RelayProcess _relay;
        private readonly SilentPort _silentDns = SilentPort.Udp();

        public SendInteropTests()
        {
            Directory.CreateDirectory(_dir);
            _relay = new RelayProcess($"relayhost = [127.0.0.1]:{_sink.Port}\nsmtp_tls_security_level = none\nalert_rate_limit = 1\n");
        }

        public void Dispose()
        {
            _relay.Dispose();
            _silentDns.Dispose();
            _sink.Dispose();
            Directory.Delete(_dir, true);
            Directory.Delete(_sink.DumpDirectory, true);
        }

        [Fact]
        public void SendNowDeliversThroughTheRelayToSmtpSinkAndPrintsEachRecipient()
        {
            string client = ClientConfig($"relayhost = [127.0.0.1]:{_relay.Port}");
            byte[] blob = new byte[70_001];
            new Random(3).NextBytes(blob);
            File.WriteAllBytes(Path.Combine(_dir, "readings.bin"), blob);
            File.WriteAllText(Path.Combine(_dir, "body.txt"), "Tür 3 ist offen.\nTemperatur 41 °C.\n");

            RunResult run = Run.Emailcore("send", "--now", "--config", client, "--to", "ops@example.com", "--to", "Jürgen <j@example.com>", "--cc", "cc@example.net",
                "--from", "Zählerschrank <board@lan.example>", "--subject", "Tür offen ✓ — Rack 3", "--body-file", Path.Combine(_dir, "body.txt"),
                "--attach", Path.Combine(_dir, "readings.bin"));
            Assert.True(run.ExitCode == 0, run.ToString());
            string[] lines = run.StandardOutput.TrimEnd().Split('\n');
            Assert.Equal(3, lines.Length);
            Assert.All(lines, l => Assert.Matches(@"^to=<.+>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, dsn=2\.0\.0, status=sent \(250 2\.0\.0 Ok: queued as [0-9A-F]+\)$", l));

            SinkMessage received = _sink.WaitFor(1, Wait).Single();
            Assert.Equal(new[] { "<ops@example.com>", "<j@example.com>", "<cc@example.net>" }, received.Recipients.Select(r => r.Split(' ')[0]));
            MimeMessage m = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(received.Content)));
            Assert.Equal("Tür offen ✓ — Rack 3", m.Subject);
            Assert.Equal("Zählerschrank", m.From.Mailboxes.Single().Name);
            Assert.Equal("Jürgen", m.To.Mailboxes.Last().Name);
            Assert.Equal("Tür 3 ist offen.\nTemperatur 41 °C.\n", m.TextBody);
            using var decoded = new MemoryStream();
            ((MimePart)m.Attachments.Single()).Content!.DecodeTo(decoded);
            Assert.Equal(blob, decoded.ToArray());
            Assert.Equal("auto-generated", m.Headers["Auto-Submitted"]);
            Assert.Contains("Received: from ", received.Content);
        }

        [Fact]
        public void SendNowToAnUnreachableNextHopDefersQueuesAndExits75()
        {
            using var down = SilentPort.Tcp();
            string client = ClientConfig($"relayhost = [127.0.0.1]:{down.Port}");
            RunResult run = Run.Emailcore("send", "--now", "--config", client, "--to", "ops@example.com", "--subject", "x");
            Assert.True(run.ExitCode == 75, run.ToString());
            Assert.Contains("status=deferred", run.StandardOutput);
            Assert.Contains("queued as", run.StandardOutput);
            RunResult queue = Run.Emailcore("queue", "--config", client);
            Assert.Contains("ops@example.com  pending", queue.StandardOutput);
        }

        [Fact]
        public void SendQueuesThroughTheRunningRelaysListener()
        {
            RunResult run = Run.Emailcore("send", "--config", _relay.Config, "--to", "ops@example.com", "--subject", "via the listener");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Matches(@"^to=<ops@example\.com>, relay=localhost\[127\.0\.0\.1\]:\d+, dsn=2\.0\.0, status=queued \(250 2\.0\.0 Ok: queued as [0-9A-F]+\)", run.StandardOutput);
            Assert.Contains("Subject: via the listener", _sink.WaitFor(1, Wait).Single().Content);
        }

        [Fact]
        public void SendIntoTheSpoolOfAStoppedRelayIsDeliveredAtItsNextStart()
        {
            _relay.Stop();
            Assert.Contains("stopped", _relay.Log);
            RunResult run = Run.Emailcore("send", "--config", _relay.Config, "--to", "ops@example.com", "--subject", "queued while stopped");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("relay=spool", run.StandardOutput);
            Assert.Contains("the relay delivers it when it runs", run.StandardOutput);
            _relay.Start();
            Assert.Contains("Subject: queued while stopped", _sink.WaitFor(1, Wait).Single().Content);
        }

        [Fact]
        public void SendKeyKeepsStormControlAcrossRuns()
        {
            _relay.Stop();
            RunResult first = Run.Emailcore("send", "--config", _relay.Config, "--to", "ops@example.com", "--subject", "disk full", "--key", "disk");
            Assert.True(first.ExitCode == 0, first.ToString());
            RunResult second = Run.Emailcore("send", "--config", _relay.Config, "--to", "ops@example.com", "--subject", "disk full", "--key", "disk");
            Assert.True(second.ExitCode == 0, second.ToString());
            Assert.Equal("suppressed by storm control (key disk): 1 held back (duplicate)\n", second.StandardOutput);
            RunResult other = Run.Emailcore("send", "--config", _relay.Config, "--to", "ops@example.com", "--subject", "fan failed", "--key", "fan");
            Assert.Contains("status=queued", other.StandardOutput);
            Assert.Equal(2, Run.Emailcore("queue", "--config", _relay.Config).StandardOutput.Split('\n').Count(l => l.Contains("ops@example.com  pending")));
        }

        [Theory]
        [InlineData("--to", "not an address")]
        [InlineData("--subject", "line\nbreak")]
        [InlineData("--body-file", "latin1")]
        public void BadArgumentsExitOneAndQueueNothing(string option, string value)
        {
            string latin1 = Path.Combine(_dir, "latin1.txt");
            File.WriteAllBytes(latin1, new byte[] { 0x47, 0x72, 0xFC, 0xDF, 0x65 });
            string[] args = option switch
            {
                "--to" => new[] { "send", "--config", _relay.Config, "--to", value, "--subject", "x" },
                "--subject" => new[] { "send", "--config", _relay.Config, "--to", "ops@example.com", "--subject", value },
                _ => new[] { "send", "--config", _relay.Config, "--to", "ops@example.com", "--subject", "x", "--body-file", latin1 },
            };
            RunResult run = Run.Emailcore(args);
            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.StartsWith("emailcore: ", run.StandardError);
            Assert.Contains("Mail queue is empty", Run.Emailcore("queue", "--config", _relay.Config).StandardOutput);
        }

        [Fact]
        public void SendmailDashTThroughTheRunningRelayToSmtpSink()
        {
            RunResult run = Shell("printf 'To: Ops <ops@example.com>, \"Night, shift\" <night@example.com>\\nCc: cc@example.net\\nBcc: hidden@example.org\\nSubject: nightly backup\\n\\nbackup done\\n.\\nstill the message with -i\\n' | "
                + Emailcore() + " sendmail --config " + _relay.Config + " -t -i -FBackup -f backup@lan.example");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(string.Empty, run.StandardOutput + run.StandardError);

            SinkMessage received = _sink.WaitFor(1, Wait).Single();
            Assert.StartsWith("<backup@lan.example>", received.MailFrom);
            Assert.Equal(new[] { "<ops@example.com>", "<night@example.com>", "<cc@example.net>", "<hidden@example.org>" }, received.Recipients.Select(r => r.Split(' ')[0]));
            MimeMessage m = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(received.Content)));
            Assert.Empty(m.Bcc);
            Assert.DoesNotContain("hidden@example.org", received.Content);
            Assert.Equal("Backup", m.From.Mailboxes.Single().Name);
            Assert.Equal("backup@lan.example", m.From.Mailboxes.Single().Address);
            Assert.NotEqual(DateTimeOffset.MinValue, m.Date);
            Assert.False(string.IsNullOrEmpty(m.MessageId));
            Assert.Equal("backup done\n.\nstill the message with -i", m.TextBody!.TrimEnd('\n'));
        }

        [Fact]
        public void EchoPipedToSendmailIsQueuedForTheNextStartAndDeliveredLocally()
        {
            _relay.Stop();
            RunResult run = Shell("echo 'disk /data is 97% full' | " + Emailcore() + " sendmail --config " + _relay.Config + " root");
            Assert.True(run.ExitCode == 0, run.ToString());
            _relay.Start();
            Assert.True(_relay.WaitForLog("to=<root@localhost>, relay=local", Wait), _relay.Log);
            string delivered = File.ReadAllText(_relay.Mailbox("root").Single());
            Assert.Contains("\r\n\r\ndisk /data is 97% full\r\n", delivered);
            Assert.Contains("\r\nFrom: <" + Environment.UserName + "@localhost>\r\n", delivered);
            Assert.Contains("\r\nDate: ", delivered);
            Assert.Contains("\r\nMessage-ID: <", delivered);
        }

        [Theory]
        [InlineData("", 64)]
        [InlineData("-q", 64)]
        [InlineData("-bp", 64)]
        [InlineData("'not an address'", 65)]
        public void SendmailExitCodesAreSysexits(string arguments, int exit)
        {
            RunResult run = Shell("echo hi | " + Emailcore() + " sendmail --config " + _relay.Config + " " + arguments);
            Assert.True(run.ExitCode == exit, run.ToString());
            Assert.StartsWith("emailcore sendmail: ", run.StandardError);
        }

        [Fact]
        public void SendmailWithABrokenConfigurationExits78()
        {
            string bad = Path.Combine(_dir, "bad.cf");
            File.WriteAllText(bad, "no_such_parameter = 1\n");
            RunResult run = Shell("echo hi | " + Emailcore() + " sendmail --config " + bad + " root");
            Assert.True(run.ExitCode == 78, run.ToString());
            Assert.Contains("bad.cf:1: unknown parameter", run.StandardError);
        }

        private string ClientConfig(string settings)
        {
            string path = Path.Combine(_dir, "client.cf");
            File.WriteAllText(path, $"queue_directory = {Path.Combine(_dir, "queue")}\nsmtp_tls_security_level = none\ndns_servers = 127.0.0.1:{_silentDns.Port}\n{settings}\n");
            return path;
        }

        private static string Emailcore() => "dotnet " + Repo.EmailcoreDll;

        private static RunResult Shell(string command) => Run.Program("/bin/sh", new[] { "-c", command });
    }
}

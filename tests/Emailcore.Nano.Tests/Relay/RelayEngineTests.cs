using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Emailcore.Nano.Tests.Smtp.Server;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Relay
{
    /// <summary>`emailcore relay` end to end on loopback: real clients in, smtp-sink and aiosmtpd upstream.</summary>
    public sealed class RelayEngineTests
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

        [Fact]
        public void EmbeddedDefaultDeliversLocalMailIntoTheMaildir()
        {
            string root = Path.Combine(Path.GetTempPath(), "emailcore-default-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(root);
            var log = new StringBuilder();
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add(Repo.EmailcoreDll);
            start.ArgumentList.Add("relay");
            using Process relay = Process.Start(start)!;
            var listening = new ManualResetEventSlim();
            relay.ErrorDataReceived += (_, e) =>
            {
                lock (log)
                {
                    log.AppendLine(e.Data);
                }

                if (e.Data?.Contains("listening on 127.0.0.1:2525") == true)
                {
                    listening.Set();
                }
            };
            relay.OutputDataReceived += (_, _) => { };
            relay.BeginErrorReadLine();
            relay.BeginOutputReadLine();
            try
            {
                Assert.True(listening.Wait(Wait), log.ToString());
                RunResult swaks = Run.Program("swaks", new[] { "--server", "127.0.0.1:2525", "--helo", "client.example", "--from", "bob@localhost", "--to", "alice@localhost", "--header", "Subject: hello from swaks" });
                Assert.True(swaks.ExitCode == 0, swaks.ToString());
                string folder = Path.Combine(root, "mail", "alice", "new");
                string? file = null;
                for (int i = 0; i < 100 && file == null; i++)
                {
                    file = Directory.Exists(folder) ? Directory.GetFiles(folder).FirstOrDefault() : null;
                    Thread.Sleep(100);
                }

                Assert.True(file != null, log.ToString());
                RunResult parsed = Support.Python.Run("import sys, email\nm = email.message_from_binary_file(sys.stdin.buffer)\nprint(m['Return-Path'], m['Delivered-To'], m['Subject'], sep='|')", File.ReadAllText(file!));
                Assert.Equal("<bob@localhost>|alice@localhost|hello from swaks", parsed.StandardOutput.Trim());
                Assert.True(Directory.Exists(Path.Combine(root, "spool")));
                lock (log)
                {
                    Assert.Contains("to=<alice@localhost>, relay=local", log.ToString());
                }
            }
            finally
            {
                Run.Program("kill", new[] { "-TERM", relay.Id.ToString() });
                relay.WaitForExit(20_000);
            }
        }

        [Fact]
        public void SmtplibAndSwaksReachTheSmarthostAndTheLogShowsIt()
        {
            using var sink = new SmtpSink();
            using var relay = new RelayProcess($"relayhost = [127.0.0.1]:{sink.Port}\nmyhostname = relay.test.example\n");
            Assert.True(SmtpLib.Send(relay.Port, "bob@client.example", new[] { "x@far.example", "y@far.example" }, "Subject: one\r\n\r\nvia smtplib\r\n").ExitCode == 0);
            RunResult swaks = Run.Program("swaks", new[] { "--server", $"127.0.0.1:{relay.Port}", "--helo", "client.example", "--from", "bob@client.example", "--to", "z@far.example" });
            Assert.True(swaks.ExitCode == 0, swaks.ToString());

            // The relay logs "sent" after smtp-sink's 250 to the final dot, when the dump is complete.
            Assert.True(relay.WaitForLog("status=sent", Wait, times: 3), relay.Log);
            var messages = sink.WaitFor(2, Wait);
            Assert.True(messages.Count == 2, relay.Log);
            SinkMessage one = messages.Single(m => m.Content.Contains("via smtplib"));
            Assert.StartsWith("<bob@client.example>", one.MailFrom);
            Assert.Equal(new[] { "<x@far.example>", "<y@far.example>" }, one.Recipients.Select(r => r.Split(' ')[0]));
            Assert.Contains("by relay.test.example (Emailcore.Nano)", one.Content);
            Assert.True(relay.WaitForLog($"relay=127.0.0.1[127.0.0.1]:{sink.Port}", Wait, times: 3), relay.Log);
            Assert.Contains("status=sent (250 2.0.0 Ok", relay.Log);
        }

        [Fact]
        public void UpstreamDownThenUpIsDeferredThenDelivered()
        {
            int port = RelayFixture.FreePort();
            using var relay = new RelayProcess($"relayhost = [127.0.0.1]:{port}\nminimal_backoff_time = 1s\nmaximal_backoff_time = 2s\n");
            Assert.True(SmtpLib.Send(relay.Port, "bob@client.example", new[] { "later@far.example" }, "Subject: later\r\n\r\nwait for it\r\n").ExitCode == 0);
            Assert.True(relay.WaitForLog("status=deferred", Wait), relay.Log);
            Assert.Contains($"connect to 127.0.0.1[127.0.0.1]:{port} failed", relay.Log);
            using var sink = new SmtpSink(port);
            Assert.Single(sink.WaitFor(1, Wait));
            Assert.True(relay.WaitForLog("status=sent", Wait), relay.Log);
        }

        [Fact]
        public void RejectedRecipientBouncesAReportIntoTheSendersMaildir()
        {
            using var sink = new SmtpSink("-f", "RCPT");
            using var relay = new RelayProcess($"relayhost = [127.0.0.1]:{sink.Port}\nmyhostname = relay.test.example\n");
            Assert.True(SmtpLib.Send(relay.Port, "bob@localhost", new[] { "nobody@far.example" }, "Subject: doomed\r\n\r\nbody\r\n").ExitCode == 0);
            string? dsn = null;
            for (int i = 0; i < 300 && dsn == null; i++)
            {
                dsn = relay.Mailbox("bob").FirstOrDefault();
                Thread.Sleep(100);
            }

            Assert.True(dsn != null, relay.Log);
            RunResult parsed = Support.Python.Run("""
                import sys, email
                m = email.message_from_binary_file(sys.stdin.buffer)
                parts = m.get_payload()
                status = parts[1].get_payload()
                print(m.get_content_type(), m.get_param('report-type'), m['Return-Path'], sep='|')
                print(status[1]['Final-Recipient'], status[1]['Action'], status[1]['Status'], sep='|')
                print(parts[2].get_content_type())
                """, File.ReadAllText(dsn!));
            Assert.True(parsed.ExitCode == 0, parsed.ToString());
            string[] lines = parsed.StandardOutput.Trim().Split('\n');
            Assert.Equal("multipart/report|delivery-status|<>", lines[0]);
            Assert.StartsWith("rfc822; nobody@far.example|failed|5.", lines[1]);
            Assert.Equal("message/rfc822", lines[2]);
            Assert.Contains("status=bounced", relay.Log);
        }

        [Fact]
        public void RelayStartsWithAWarningForARetryIntervalBelowTheRfcMinimum()
        {
            // RFC 5321 §4.5.4.1: at least 30 minutes; the relay takes 4s, as Postfix would, and says so once at start.
            using var relay = new RelayProcess("minimal_backoff_time = 4s\n");
            Assert.True(relay.WaitForLog("warning: minimal_backoff_time = 4s is below the 1800s of RFC 5321 section 4.5.4.1", Wait), relay.Log);
        }

        [Fact]
        public void AliasesReplaceRecipientsAndListsReplaceTheSenderOnly()
        {
            using var sink = new SmtpSink();
            string aliases = Path.Combine(Path.GetTempPath(), "emailcore-aliases-" + Guid.NewGuid().ToString("N"));
            File.WriteAllText(aliases, "team: x@far.example, y@far.example\nstaff: z@far.example, w@far.example\nowner-staff: listadmin\n");
            using var relay = new RelayProcess($"relayhost = [127.0.0.1]:{sink.Port}\nmyhostname = relay.test.example\nalias_maps = {aliases}\n");
            const string teamMessage = "From: Bob <bob@client.example>\r\nSubject: to the team\r\nX-Keep:  exactly   this\r\n\r\nteam body\r\n";
            const string staffMessage = "From: Bob <bob@client.example>\r\nSubject: to the list\r\nReply-To: bob@client.example\r\n\r\nlist body\r\n";
            Assert.True(SmtpLib.Send(relay.Port, "bob@client.example", new[] { "team@localhost" }, teamMessage).ExitCode == 0);
            Assert.True(SmtpLib.Send(relay.Port, "bob@client.example", new[] { "staff@localhost" }, staffMessage).ExitCode == 0);
            Assert.True(relay.WaitForLog("relay=127.0.0.1[127.0.0.1]", Wait, times: 4), relay.Log);
            var messages = sink.WaitFor(2, Wait);
            Assert.True(messages.Count == 2, relay.Log);

            SinkMessage team = messages.Single(m => m.Content.Contains("team body"));
            Assert.StartsWith("<bob@client.example>", team.MailFrom);
            Assert.Equal(new[] { "<x@far.example>", "<y@far.example>" }, team.Recipients.Select(r => r.Split(' ')[0]).OrderBy(r => r));
            Assert.Equal(teamMessage.Replace("\r\n", "\n"), WithoutReceived(team.Content));

            SinkMessage staff = messages.Single(m => m.Content.Contains("list body"));
            Assert.StartsWith("<owner-staff@relay.test.example>", staff.MailFrom);
            Assert.Equal(new[] { "<w@far.example>", "<z@far.example>" }, staff.Recipients.Select(r => r.Split(' ')[0]).OrderBy(r => r));
            Assert.Equal(staffMessage.Replace("\r\n", "\n"), WithoutReceived(staff.Content));
            Assert.Contains("to=<staff@localhost>, relay=local", relay.Log);
            Assert.Contains("status=expanded", relay.Log);
        }

        [Fact]
        public void AListMembersBounceReachesTheOwnerOnThisHostByDefault()
        {
            // The default mydestination holds $myhostname (as Postfix's), so owner-staff@$myhostname is ours, not the relayhost's.
            using var sink = new SmtpSink("-f", "RCPT");
            string aliases = Path.Combine(Path.GetTempPath(), "emailcore-aliases-" + Guid.NewGuid().ToString("N"));
            File.WriteAllText(aliases, "staff: z@far.example\nowner-staff: listadmin\n");
            try
            {
                using var relay = new RelayProcess($"relayhost = [127.0.0.1]:{sink.Port}\nmyhostname = relay.test.example\nalias_maps = {aliases}\n");
                Assert.True(SmtpLib.Send(relay.Port, "bob@client.example", new[] { "staff@localhost" }, "Subject: to the list\r\n\r\nlist body\r\n").ExitCode == 0);
                Assert.True(SpinWait.SpinUntil(() => relay.Mailbox("listadmin").Length > 0, Wait), relay.Log);
                Assert.Contains("Final-Recipient: rfc822; z@far.example", File.ReadAllText(relay.Mailbox("listadmin")[0]));
                Assert.Contains("to=<owner-staff@relay.test.example>, relay=local", relay.Log);
            }
            finally
            {
                File.Delete(aliases);
            }
        }

        [Fact]
        public void TheLogsSizeIsTheQueuesSizeOurReceivedHeaderIncluded()
        {
            using var down = SilentPort.Tcp();
            var relay = new RelayProcess($"relayhost = [127.0.0.1]:{down.Port}\n");
            try
            {
                const string message = "Subject: sized\r\n\r\nbody\r\n";
                Assert.True(SmtpLib.Send(relay.Port, "bob@client.example", new[] { "kept@far.example" }, message).ExitCode == 0);
                Assert.True(relay.WaitForLog("status=deferred", Wait), relay.Log);
                relay.Stop();
                Match logged = Regex.Match(relay.Log, @"([0-9A-F]+): from=<bob@client.example>, size=(\d+),");
                Assert.True(logged.Success, relay.Log);
                RunResult listing = Run.Emailcore("queue", "--config", relay.Config);
                Match listed = Regex.Match(listing.StandardOutput, "^" + logged.Groups[1].Value + @"\s+(\d+) ", RegexOptions.Multiline);
                Assert.True(listed.Success, listing.ToString());
                Assert.Equal(listed.Groups[1].Value, logged.Groups[2].Value);
                Assert.True(long.Parse(logged.Groups[2].Value) > message.Length + "Received: ".Length, relay.Log);
            }
            finally
            {
                relay.Dispose();
            }
        }

        [Fact]
        public void RestartKeepsQueuedMailAndDeliversIt()
        {
            int port = RelayFixture.FreePort();
            using var relay = new RelayProcess($"relayhost = [127.0.0.1]:{port}\nminimal_backoff_time = 1s\nmaximal_backoff_time = 2s\n");
            Assert.True(SmtpLib.Send(relay.Port, "bob@client.example", new[] { "kept@far.example" }, "Subject: kept\r\n\r\nsurvives a restart\r\n").ExitCode == 0);
            Assert.True(relay.WaitForLog("status=deferred", Wait), relay.Log);
            relay.Stop();
            using var sink = new SmtpSink(port);
            relay.Start();
            Assert.True(relay.WaitForLog("status=sent", Wait), relay.Log);
            var messages = sink.WaitFor(1, Wait);
            Assert.True(messages.Count == 1, relay.Log);
            Assert.Contains("survives a restart", messages[0].Content);
        }

        [Fact]
        public void LoopBetweenTwoRelaysStopsAtTheHopLimit()
        {
            int portA = RelayFixture.FreePort();
            int portB = RelayFixture.FreePort();
            using var a = new RelayProcess($"myhostname = a.test.example\ntransport_maps = loop.example [127.0.0.1]:{portB}\nhopcount_limit = 6\n", portA);
            using var b = new RelayProcess($"myhostname = b.test.example\ntransport_maps = loop.example [127.0.0.1]:{portA}\nhopcount_limit = 6\n", portB);
            Assert.True(SmtpLib.Send(portA, "bob@localhost", new[] { "x@loop.example" }, "Subject: round and round\r\n\r\nloop\r\n").ExitCode == 0);
            string? dsn = null;
            for (int i = 0; i < 400 && dsn == null; i++)
            {
                dsn = a.Mailbox("bob").Concat(b.Mailbox("bob")).FirstOrDefault();
                Thread.Sleep(100);
            }

            Assert.True(dsn != null, a.Log + "\n----\n" + b.Log);
            string text = File.ReadAllText(dsn!);
            Assert.Contains("Status: 5.4.6", text);
            Assert.Contains("too many hops", text);
        }

        [Fact]
        public void AiosmtpdRelayhostWithStartTlsAndAuth()
        {
            using var server = new Aiosmtpd();
            using var relay = new RelayProcess(
                $"relayhost = [127.0.0.1]:{server.Port}\nsmtp_tls_security_level = verify\nsmtp_tls_CAfile = {server.Certificate}\n" +
                $"smtp_sasl_auth_enable = yes\nsmtp_sasl_password_maps = [127.0.0.1]:{server.Port} relayuser:relay-pass\n");
            Assert.True(SmtpLib.Send(relay.Port, "bob@client.example", new[] { "tls@far.example" }, "Subject: tls\r\n\r\nsecret\r\n").ExitCode == 0);
            Assert.True(relay.WaitForLog("to=<tls@far.example>", Wait), relay.Log);
            Assert.Contains("status=sent (250 2.0.0 stored)", relay.Log);

            // aiosmtpd takes MAIL only after STARTTLS and AUTH, so an authenticated message came over TLS.
            Assert.Equal("bob@client.example|tls@far.example|True", server.Received.Trim());
        }

        [Fact]
        public void WrongPasswordIsReportedOnceNotRetriedInAStorm()
        {
            using var server = new Aiosmtpd();
            using var relay = new RelayProcess(
                $"relayhost = [127.0.0.1]:{server.Port}\nsmtp_tls_security_level = encrypt\n" +
                $"smtp_sasl_auth_enable = yes\nsmtp_sasl_password_maps = [127.0.0.1]:{server.Port} relayuser:wrong\n");
            Assert.True(SmtpLib.Send(relay.Port, "bob@localhost", new[] { "one@far.example" }, "Subject: one\r\n\r\none\r\n").ExitCode == 0);
            Assert.True(relay.WaitForLog("to=<one@far.example>", Wait), relay.Log);
            Assert.True(SmtpLib.Send(relay.Port, "bob@localhost", new[] { "two@far.example" }, "Subject: two\r\n\r\ntwo\r\n").ExitCode == 0);
            Assert.True(relay.WaitForLog("to=<two@far.example>", Wait), relay.Log);
            Assert.Contains("to=<one@far.example>, relay=127.0.0.1[127.0.0.1]:" + server.Port, relay.Log);
            Assert.Contains("status=bounced (535 5.7.8 authentication to", relay.Log);
            Assert.True(relay.Log.Contains("to=<two@far.example>, relay=none"), relay.Log);
            Assert.Contains("status=deferred (454 4.7.8 authentication to [127.0.0.1]:" + server.Port + " failed earlier", relay.Log);
            Assert.Equal(1, relay.Log.Split("waits until the credentials are fixed").Length - 1);
            Assert.Equal(string.Empty, server.Received);
        }

        // Each hop adds one Received field; everything else must arrive as it was sent (smtp-sink's dump has LF line ends).
        private static string WithoutReceived(string content)
        {
            var kept = new StringBuilder();
            bool inReceived = false;
            foreach (string line in content.Split("\n"))
            {
                if (line.StartsWith("Received:", StringComparison.Ordinal))
                {
                    inReceived = true;
                    continue;
                }

                if (inReceived && (line.StartsWith('\t') || line.StartsWith(' ')))
                {
                    continue;
                }

                inReceived = false;
                kept.Append(line).Append('\n');
            }

            return kept.ToString().TrimEnd('\n') + "\n";
        }
    }
}

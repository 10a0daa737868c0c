using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Emailcore.Nano.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Emailcore.Nano.Tests.Hardening
{
    /// <summary>
    /// A bounded soak of the real `emailcore relay`: clients send mail through it to Postfix's smtp-sink while
    /// slow clients (one byte every 300 ms, cut at smtpd_timeout) and error-spewing clients (cut at
    /// smtpd_hard_error_limit) hold sessions, and every message the relay
    /// acknowledged must reach the sink exactly once, the queue must drain, and the relay's memory must stay bounded.
    /// The test command runs the short form (EMAILCORE_SOAK_MESSAGES, default 400); the longer one is
    /// `EMAILCORE_SOAK_MESSAGES=20000 dotnet test tests/Emailcore.Nano.Tests -c Release --filter FullyQualifiedName~SoakTests`.
    /// </summary>
    public sealed class SoakTests(ITestOutputHelper output)
    {
        private static int Messages => int.TryParse(Environment.GetEnvironmentVariable("EMAILCORE_SOAK_MESSAGES"), out int n) && n > 0 ? n : 400;

        private static long RssKilobytes(int pid)
        {
            string line = File.ReadAllLines("/proc/" + pid + "/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(Regex.Match(line, "[0-9]+").Value);
        }

        [Fact]
        public void EveryAcknowledgedMessageArrivesOnceWhileSlowAndHostileClientsComeAndGo()
        {
            int messages = Messages;
            using var sink = new SmtpSink();
            using var relay = new RelayProcess(
                $"relayhost = [127.0.0.1]:{sink.Port}\nsmtp_tls_security_level = none\nsmtpd_client_connection_count_limit = 8\nsmtpd_timeout = 2s\n" +
                "smtpd_session_time_limit = 30s\nsmtpd_hard_error_limit = 5\n");
            Assert.True(relay.WaitForLog("listening on", TimeSpan.FromSeconds(60)), relay.Log);

            // Four senders, each its own session sequence; a sender reconnects when the relay refuses or cuts it.
            string script = $$"""
                import smtplib, sys, time
                base, count = int(sys.argv[1]), int(sys.argv[2])
                seq, s = 0, None
                while seq < count:
                    try:
                        if s is None:
                            s = smtplib.SMTP('127.0.0.1', {{relay.Port}}, timeout=20)
                            s.ehlo('sender.example')
                        s.mail('soak@sender.example')
                        s.rcpt('soak@far.example')
                        code, reply = s.data(('Subject: soak %d\r\n\r\nbody of %d\r\n' % (base + seq, base + seq)).encode())
                        if code == 250:
                            print(base + seq, flush=True)
                            seq += 1
                        if seq % 25 == 0:
                            s.quit()
                            s = None
                    except (smtplib.SMTPException, OSError):
                        s = None
                        time.sleep(0.2)
                """;
            string scriptPath = Path.Combine(relay.Root, "sender.py");
            File.WriteAllText(scriptPath, script);
            var acknowledged = new List<int>();
            var senders = Enumerable.Range(0, 4).Select(i =>
            {
                var process = Process.Start(new ProcessStartInfo(Python.Executable) { ArgumentList = { scriptPath, (i * 1_000_000).ToString(), (messages / 4).ToString() }, RedirectStandardOutput = true, RedirectStandardError = true })!;
                process.OutputDataReceived += (_, e) =>
                {
                    if (int.TryParse(e.Data, out int seq))
                    {
                        lock (acknowledged)
                        {
                            acknowledged.Add(seq);
                        }
                    }
                };
                process.ErrorDataReceived += (_, _) => { };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                return process;
            }).ToList();

            // Meanwhile: slow clients trickle a command line, noisy ones send nonsense until cut; each connects again.
            using var stop = new CancellationTokenSource();
            long slowCut = 0;
            long noisyCut = 0;
            var nuisances = new List<Thread>();
            for (int i = 0; i < 3; i++)
            {
                nuisances.Add(Nuisance(relay.Port, stop.Token, slow: true, () => Interlocked.Increment(ref slowCut)));
                nuisances.Add(Nuisance(relay.Port, stop.Token, slow: false, () => Interlocked.Increment(ref noisyCut)));
            }

            long rssEarly = 0;
            var clock = Stopwatch.StartNew();
            foreach (Process sender in senders)
            {
                while (!sender.WaitForExit(200))
                {
                    if (rssEarly == 0 && acknowledged.Count >= messages / 10)
                    {
                        rssEarly = RssKilobytes(relay.ProcessId);
                    }

                    Assert.True(clock.Elapsed < TimeSpan.FromMinutes(10 + messages / 500), "the soak did not finish in time; acknowledged " + acknowledged.Count + "\n" + relay.Log[^Math.Min(4000, relay.Log.Length)..]);
                }

                sender.WaitForExit();
            }

            // The slow clients are cut at smtpd_timeout (2 s) at the latest, however short the soak was.
            for (var waited = Stopwatch.StartNew(); Interlocked.Read(ref slowCut) < 3 && waited.Elapsed < TimeSpan.FromSeconds(60);)
            {
                Thread.Sleep(100);
            }

            stop.Cancel();
            foreach (Thread t in nuisances)
            {
                t.Join();
            }

            int[] sent;
            lock (acknowledged)
            {
                sent = acknowledged.ToArray();
            }

            Assert.Equal(messages / 4 * 4, sent.Length);
            List<SinkMessage> arrived = sink.WaitFor(sent.Length, TimeSpan.FromSeconds(120 + messages / 20));
            var seen = arrived.Select(m => int.Parse(Regex.Match(m.Content, "Subject: soak ([0-9]+)").Groups[1].Value)).ToList();
            var twice = seen.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(twice.Count == 0, "delivered more than once: " + string.Join(", ", twice.Take(20)));
            var missing = sent.Except(seen).ToList();
            Assert.True(missing.Count == 0, "acknowledged but never delivered: " + string.Join(", ", missing.Take(20)));

            long rssEnd = RssKilobytes(relay.ProcessId);
            output.WriteLine($"{sent.Length} messages, {slowCut} slow and {noisyCut} noisy sessions cut, relay RSS {rssEarly / 1024} MiB after a tenth, {rssEnd / 1024} MiB at the end, {clock.Elapsed.TotalSeconds:F0} s");
            Assert.True(slowCut >= 3, "the slow clients were not cut");
            Assert.True(noisyCut >= 3, "the noisy clients were not cut at smtpd_hard_error_limit");
            Assert.True(rssEnd < 512 * 1024, "relay RSS " + rssEnd / 1024 + " MiB");
        }

        /// <summary>A client that holds a session badly, over and over, until the test stops; counts the times the relay cut it.</summary>
        private static Thread Nuisance(int port, CancellationToken stop, bool slow, Action cut)
        {
            var thread = new Thread(() =>
            {
                byte[] nonsense = Encoding.ASCII.GetBytes("XYZZY\r\nMAIL FROM:<>\r\nRCPT TO:<a@b>\r\nDATA\r\nBDAT 1\r\nFOO\r\n");
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        using var client = new TcpClient("127.0.0.1", port) { ReceiveTimeout = 10_000 };
                        NetworkStream stream = client.GetStream();
                        var buffer = new byte[4096];
                        if (slow)
                        {
                            for (int i = 0; i < 200 && !stop.IsCancellationRequested; i++)
                            {
                                stream.Write(Encoding.ASCII.GetBytes(i < 4 ? "NOOP".Substring(i, 1) : " "));
                                if (stop.WaitHandle.WaitOne(300))
                                {
                                    break;
                                }

                                if (client.Client.Poll(0, SelectMode.SelectRead) && Encoding.ASCII.GetString(buffer, 0, stream.Read(buffer)).Contains("421 4.4.2"))
                                {
                                    cut();
                                    break;
                                }
                            }
                        }
                        else
                        {
                            for (int i = 0; i < 20 && !stop.IsCancellationRequested; i++)
                            {
                                stream.Write(nonsense);
                            }

                            var replies = new StringBuilder();
                            for (int n; (n = stream.Read(buffer)) > 0;)
                            {
                                replies.Append(Encoding.ASCII.GetString(buffer, 0, n));
                            }

                            if (replies.ToString().Contains("421 4.7.0"))
                            {
                                cut();
                            }

                            stop.WaitHandle.WaitOne(100);
                        }
                    }
                    catch (Exception e) when (e is IOException or SocketException)
                    {
                        // Refused (no free slot) or cut mid-write: connect again.
                        stop.WaitHandle.WaitOne(100);
                    }
                }
            }) { IsBackground = true };
            thread.Start();
            return thread;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Emailcore.Nano.Tests.Smtp.Server;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Spool
{
    /// <summary>
    /// The durability promise on the real host binding: SIGKILL a running `emailcore relay` in the middle of a
    /// load (smtp-source plus a Python client that notes every queue id it was given), restart it, and find every
    /// acknowledged message in the queue exactly once.
    /// </summary>
    public sealed class RelayCrashTests
    {
        [Fact]
        public void EveryAcknowledgedMessageSurvivesSigkillExactlyOnce()
        {
            // The next hop refuses connections, so everything accepted stays queued.
            using var down = SilentPort.Tcp();
            using var relay = new RelayProcess($"relayhost = [127.0.0.1]:{down.Port}\nsmtpd_client_connection_count_limit = 10\n");
            int port = relay.Port;
            string root = relay.Root;
            Process? load = null;
            Process? python = null;
            var acknowledged = new List<(string Id, int Seq)>();
            try
            {
                load = Process.Start(new ProcessStartInfo("/usr/sbin/smtp-source")
                {
                    ArgumentList = { "-c", "-s", "3", "-m", "100000", "-l", "2000", "-M", "client.example", "-f", "load@localhost", "-t", "load@far.example", $"127.0.0.1:{port}" },
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                })!;
                load.OutputDataReceived += (_, _) => { };
                load.ErrorDataReceived += (_, _) => { };
                load.BeginOutputReadLine();
                load.BeginErrorReadLine();

                string script = $$"""
                    import smtplib, sys
                    s = smtplib.SMTP('127.0.0.1', {{port}}, timeout=10)
                    s.ehlo('client.example')
                    for seq in range(100000):
                        s.mail('a@client.example')
                        s.rcpt('crash@far.example')
                        code, reply = s.data(('Subject: seq %d\r\n\r\nbody %d\r\n' % (seq, seq)).encode())
                        if code == 250:
                            print(reply.decode().split()[-1], seq, flush=True)
                    """;
                string scriptPath = Path.Combine(root, "client.py");
                File.WriteAllText(scriptPath, script);
                python = Process.Start(new ProcessStartInfo(Support.Python.Executable)
                {
                    ArgumentList = { scriptPath },
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                })!;
                var enough = new ManualResetEventSlim();
                python.OutputDataReceived += (_, e) =>
                {
                    if (e.Data == null)
                    {
                        return;
                    }

                    string[] parts = e.Data.Split(' ');
                    lock (acknowledged)
                    {
                        acknowledged.Add((parts[0], int.Parse(parts[1])));
                        if (acknowledged.Count >= 40)
                        {
                            enough.Set();
                        }
                    }
                };
                python.ErrorDataReceived += (_, _) => { };
                python.BeginOutputReadLine();
                python.BeginErrorReadLine();
                Assert.True(enough.Wait(TimeSpan.FromSeconds(60)), "the client got too few acknowledgements:\n" + relay.Log);

                relay.Kill();
                Assert.True(python.WaitForExit(30_000), "the client did not notice the relay died");
                python.WaitForExit();
            }
            finally
            {
                Stop(load);
                Stop(python);
            }

            // Restart on the same spool: recovery must keep every acknowledged message.
            relay.Start();
            try
            {
                Dictionary<string, string> queued = Delivered.Queued(relay.Queue, "crash@far.example");
                var seqs = new Dictionary<int, string>();
                foreach (KeyValuePair<string, string> message in queued)
                {
                    Match m = Regex.Match(message.Value, @"\r\nSubject: seq (\d+)\r\n\r\nbody \1\r\n$");
                    Assert.True(m.Success, "damaged message " + message.Key + ":\n" + message.Value);
                    Assert.True(seqs.TryAdd(int.Parse(m.Groups[1].Value), message.Key), "message seq " + m.Groups[1].Value + " is queued twice");
                }

                lock (acknowledged)
                {
                    Assert.True(acknowledged.Count >= 40);
                    foreach ((string id, int seq) in acknowledged)
                    {
                        Assert.True(seqs.TryGetValue(seq, out string? found), $"acknowledged message {id} (seq {seq}) is missing after the crash");
                        Assert.Equal(id, found);
                    }
                }

                Assert.True(Delivered.Queued(relay.Queue, "load@far.example").Count > 0, "smtp-source's load never reached the spool");
            }
            finally
            {
                relay.Stop();
            }

            RunResult check = Run.Emailcore("spool", "check", "--config", relay.Config);
            Assert.True(check.ExitCode == 0, check.ToString());
        }

        private static void Stop(Process? process)
        {
            if (process == null)
            {
                return;
            }

            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // Never started or already reaped.
            }

            process.Dispose();
        }
    }
}

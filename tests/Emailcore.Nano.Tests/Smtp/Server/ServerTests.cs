using System;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Smtp.Server
{
    /// <summary>The listener side in process, on real loopback sockets: the connection limit and a graceful stop.</summary>
    public sealed class ServerTests
    {
        private sealed class Client : IDisposable
        {
            private readonly TcpClient _tcp;
            private readonly StreamReader _reader;

            public Client(int port)
            {
                _tcp = new TcpClient("127.0.0.1", port) { ReceiveTimeout = 20000 };
                _reader = new StreamReader(_tcp.GetStream(), Encoding.ASCII);
            }

            public string Read() => _reader.ReadLine() ?? "(closed)";

            public string Send(string line)
            {
                byte[] bytes = Encoding.ASCII.GetBytes(line + "\r\n");
                _tcp.GetStream().Write(bytes);
                string reply;
                do
                {
                    reply = Read();
                }
                while (reply.Length > 3 && reply[3] == '-');
                return reply;
            }

            public void Dispose() => _tcp.Dispose();
        }

        private static (SmtpServer server, MemoryMessageStore store, int port) Start(Action<ServerSettings> tweak)
        {
            ServerSettings settings = Portable.SessionCases.Settings(tweak == null ? null : new Portable.SessionCases.Tweak(tweak));
            var store = new MemoryMessageStore();
            var server = new SmtpServer(settings, new[] { ListenSpec.Parse("127.0.0.1:0")! }, new HostNetwork(TlsSettings.None), store, new HostClock(), new ListLog());
            server.Start();
            return (server, store, server.LocalEndpoint(0).Port);
        }

        [Fact]
        public void ConnectionsPastTheLimitGet421()
        {
            var (server, _, port) = Start(s => s.ConnectionLimit = 1);
            try
            {
                using var first = new Client(port);
                Assert.StartsWith("220 mx.example.com ESMTP", first.Read());
                using var second = new Client(port);
                Assert.Equal("421 4.3.2 mx.example.com Error: too many connections, try again later", second.Read());
                Assert.Equal("(closed)", second.Read());
                Assert.StartsWith("250", first.Send("NOOP"));
                Assert.StartsWith("221", first.Send("QUIT"));

                // The slot is free again once the first session ended.
                for (int i = 0; i < 100 && server.ActiveSessions > 0; i++)
                {
                    Thread.Sleep(20);
                }

                using var third = new Client(port);
                Assert.StartsWith("220", third.Read());
            }
            finally
            {
                server.Stop();
            }
        }

        [Fact]
        public void StopLetsARunningSessionFinishAndRefusesNewOnes()
        {
            var (server, store, port) = Start(s => s.ShutdownMilliseconds = 10000);
            using var client = new Client(port);
            Assert.StartsWith("220", client.Read());
            Assert.StartsWith("250", client.Send("EHLO c.example"));
            var stopping = new Thread(server.Stop);
            stopping.Start();
            Thread.Sleep(600);
            Assert.Throws<SocketException>(() => new TcpClient("127.0.0.1", port));
            Assert.StartsWith("250", client.Send("MAIL FROM:<a@b.example>"));
            Assert.StartsWith("250", client.Send("RCPT TO:<c@localhost>"));
            Assert.StartsWith("354", client.Send("DATA"));
            Assert.StartsWith("250 2.0.0 Ok: queued as", client.Send("x\r\n."));
            Assert.StartsWith("221", client.Send("QUIT"));
            Assert.True(stopping.Join(10000));
            Assert.Single(store.Committed);
        }

        [Fact]
        public void StopCutsSessionsStillRunningPastTheBound()
        {
            var (server, store, port) = Start(s => s.ShutdownMilliseconds = 300);
            using var client = new Client(port);
            Assert.StartsWith("220", client.Read());
            Assert.StartsWith("250", client.Send("EHLO c.example"));
            var watch = Stopwatch.StartNew();
            server.Stop();
            Assert.True(watch.ElapsedMilliseconds < 8000);
            Assert.Equal(0, server.ActiveSessions);
            Assert.Empty(store.Committed);
        }

        private static string Locked(StringBuilder log)
        {
            lock (log)
            {
                return log.ToString();
            }
        }

        [Fact]
        public void RelayProcessStopsGracefullyOnSigterm()
        {
            string root = Path.Combine(Path.GetTempPath(), "emailcore-term-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(root);
            string config = Path.Combine(root, "main.cf");
            File.WriteAllText(config, $"smtpd_listen = 127.0.0.1:0\nqueue_directory = {root}/queue\nhome_mailbox = {root}/mail\n");
            var log = new StringBuilder();
            using Process relay = RelayFixture.Start(config, log);
            try
            {
                using var client = new Client(RelayProcess.ListeningPort(Locked(log)));
                Assert.StartsWith("220", client.Read());
                Assert.StartsWith("250", client.Send("EHLO c.example"));
                Assert.Equal(0, Run.Program("kill", new[] { "-TERM", relay.Id.ToString() }).ExitCode);
                Assert.True(SpinWait.SpinUntil(() => Locked(log).Contains("stopping: no new connections"), TimeSpan.FromSeconds(15)), Locked(log));
                Assert.StartsWith("250", client.Send("MAIL FROM:<a@b.example>"));
                Assert.StartsWith("250", client.Send("RCPT TO:<c@localhost>"));
                Assert.StartsWith("354", client.Send("DATA"));
                Assert.StartsWith("250 2.0.0 Ok: queued as", client.Send("x\r\n."));
                Assert.StartsWith("221", client.Send("QUIT"));
                Assert.True(relay.WaitForExit(15000), log.ToString());

                // Without a timeout it also waits for the redirected output to be read to its end.
                relay.WaitForExit();
                Assert.Equal(0, relay.ExitCode);
                Assert.Single(Delivered.For(Path.Combine(root, "queue"), Path.Combine(root, "mail"), "c@localhost"));
                lock (log)
                {
                    Assert.Contains("stopped", log.ToString());
                }
            }
            finally
            {
                if (!relay.HasExited)
                {
                    relay.Kill(entireProcessTree: true);
                }

                Directory.Delete(root, recursive: true);
            }
        }

        [Fact]
        public void RelayReportsBadConfigurationAndPortInUse()
        {
            string root = Path.Combine(Path.GetTempPath(), "emailcore-bad-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(root);
            try
            {
                string config = Path.Combine(root, "main.cf");
                File.WriteAllText(config, "smtpd_listen = nowhere\n");
                RunResult bad = Run.Emailcore("relay", "--config", config);
                Assert.Equal(1, bad.ExitCode);
                Assert.Contains("main.cf:1", bad.StandardError);

                File.WriteAllText(config, "smtpd_sasl_auth_enable = yes\n");
                RunResult noUsers = Run.Emailcore("relay", "--config", config);
                Assert.Equal(1, noUsers.ExitCode);
                Assert.Contains("smtpd_sasl_auth_enable = yes needs smtpd_sasl_users", noUsers.StandardError);

                File.WriteAllText(config, "smtpd_tls_security_level = encrypt\n");
                RunResult noCertificate = Run.Emailcore("relay", "--config", config);
                Assert.Equal(1, noCertificate.ExitCode);
                Assert.Contains("encrypt needs smtpd_tls_cert_file", noCertificate.StandardError);

                using var busy = new TcpListener(System.Net.IPAddress.Loopback, 0);
                busy.Start();
                File.WriteAllText(config, $"smtpd_listen = 127.0.0.1:{((System.Net.IPEndPoint)busy.LocalEndpoint).Port}\nqueue_directory = {root}/q\n");
                RunResult inUse = Run.Emailcore("relay", "--config", config);
                Assert.Equal(1, inUse.ExitCode);
                Assert.Contains("cannot listen on", inUse.StandardError);
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}

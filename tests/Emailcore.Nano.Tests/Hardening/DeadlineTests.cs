using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Smtp.Wire;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Hardening
{
    /// <summary>
    /// Issue 18 item 3: smtpd_timeout bounds a whole command, AUTH line and data line, smtpd_session_time_limit the
    /// whole session, and the client's timeouts a whole reply: a peer trickling bytes is cut like a silent one.
    /// </summary>
    public sealed class DeadlineTests
    {
        /// <summary>A peer that sends one byte per read, each after <paramref name="millisecondsPerByte"/> on the test's clock.</summary>
        private sealed class TricklingConnection(ManualClock clock, string input, int millisecondsPerByte) : IConnection
        {
            private readonly byte[] _input = Encoding.ASCII.GetBytes(input);
            private readonly MemoryStream _written = new();
            private int _next;

            public int Consumed => _next;

            public string Written => Encoding.ASCII.GetString(_written.ToArray());

            public string? TlsProtocol { get; private set; }

            public Endpoint LocalEndpoint { get; } = At("127.0.0.1:25");

            public Endpoint RemoteEndpoint { get; } = At("192.0.2.9:40000");

            public int Read(byte[] buffer, int offset, int count, int timeoutMilliseconds)
            {
                Assert.True(timeoutMilliseconds > 0, "a read was asked to wait " + timeoutMilliseconds + " ms");
                if (_next == _input.Length)
                {
                    return 0;
                }

                if (millisecondsPerByte > timeoutMilliseconds)
                {
                    clock.Advance(timeoutMilliseconds);
                    return Connection.TimedOut;
                }

                clock.Advance(millisecondsPerByte);
                buffer[offset] = _input[_next++];
                return 1;
            }

            public void Write(byte[] buffer, int offset, int count, int timeoutMilliseconds) => _written.Write(buffer, offset, count);

            public void StartTlsClient(string serverName, bool verify, TlsaRecords? dane, int timeoutMilliseconds) => TlsProtocol = "TLSv1.3";

            public void StartTlsServer(int timeoutMilliseconds) => TlsProtocol = "TLSv1.3";

            public void Close()
            {
            }

            private static Endpoint At(string text)
            {
                var endpoint = new Endpoint();
                Endpoint.TryParse(text, 0, endpoint);
                return endpoint;
            }
        }

        private static (TricklingConnection Connection, MemoryMessageStore Store, ListLog Log) Serve(string input, int millisecondsPerByte, Action<ServerSettings>? tweak = null)
        {
            var clock = new ManualClock();
            var connection = new TricklingConnection(clock, input, millisecondsPerByte);
            var store = new MemoryMessageStore();
            var log = new ListLog();
            ServerSettings settings = Sessions.Settings(s =>
            {
                s.TimeoutMilliseconds = 1000;
                s.SessionLimitMilliseconds = 0;
                tweak?.Invoke(s);
            });
            new SmtpSession(settings, store.CreateSink(), clock, log).Run(connection, ListenMode.Smtp);
            return (connection, store, log);
        }

        [Fact]
        public void ACommandLineTrickledSlowerThanTheTimeoutIsCut()
        {
            // 200 ms a byte: every read is quick, but the line would take 8 s; smtpd_timeout is 1 s.
            var (connection, _, log) = Serve("NOOP" + new string(' ', 36) + "\r\n", 200);
            Assert.EndsWith("421 4.4.2 mx.example.com Error: timeout exceeded\r\n", connection.Written);
            Assert.DoesNotContain("250", connection.Written);
            Assert.True(connection.Consumed <= 6, connection.Consumed + " bytes read");
            Assert.Contains("timeout after CONNECT from", log.All);
        }

        [Fact]
        public void ACommandLineThatArrivesInTimeIsServedHoweverItIsCut()
        {
            var (connection, _, _) = Serve("NOOP\r\nQUIT\r\n", 100);
            Assert.EndsWith("250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n", connection.Written);
        }

        [Fact]
        public void AnOverlongLineTrickledInPiecesIsCutByOneDeadline()
        {
            // The overlong line's pieces are one command: its deadline does not restart with each 1 KiB piece.
            var (connection, _, _) = Serve(new string('x', 3000) + "\r\n", 1, s => s.TimeoutMilliseconds = 1500);
            Assert.EndsWith("421 4.4.2 mx.example.com Error: timeout exceeded\r\n", connection.Written);
            Assert.DoesNotContain("500 5.5.2", connection.Written);
        }

        [Fact]
        public void ADataLineTrickledSlowerThanTheTimeoutIsCutAndNothingIsStored()
        {
            const string Transaction = "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@localhost>\r\nDATA\r\n";
            var clock = new ManualClock();
            var store = new MemoryMessageStore();
            var connection = new ScriptedConnection().Then(Transaction);
            var trickle = new TricklingConnection(clock, "Subject: slow\r\n", 200);
            var session = new SmtpSession(Sessions.Settings(s => s.TimeoutMilliseconds = 1000), store.CreateSink(), clock, new ListLog());
            session.Run(new Concatenated(connection, trickle), ListenMode.Smtp);
            Assert.EndsWith("354 End data with <CR><LF>.<CR><LF>\r\n421 4.4.2 mx.example.com Error: timeout exceeded\r\n", connection.WrittenText + trickle.Written);
            Assert.Empty(store.Committed);
            Assert.Equal(1, store.Aborted);
        }

        [Fact]
        public void AnAuthLineTrickledSlowerThanTheTimeoutIsCut()
        {
            var clock = new ManualClock();
            // The command lines come in time (40 ms a byte); the 100-octet answer to the challenge would take 4 s.
            var trickle = new TricklingConnection(clock, "EHLO c.example\r\nAUTH LOGIN\r\n" + string.Concat(Enumerable.Repeat("QUFB", 25)) + "\r\n", 40);
            ServerSettings settings = Sessions.Settings(s =>
            {
                s.TimeoutMilliseconds = 1000;
                s.AuthEnabled = true;
                s.Users = Sessions.Users();
            });
            var session = new SmtpSession(settings, new MemoryMessageStore().CreateSink(), clock, new ListLog());
            session.Run(new Concatenated(new ScriptedConnection(), trickle, tls: true), ListenMode.Smtp);
            Assert.Contains("334 VXNlcm5hbWU6\r\n421 4.4.2 mx.example.com Error: timeout exceeded\r\n", trickle.Written);
        }

        [Fact]
        public void TheSessionLimitEndsAClientThatKeepsEveryCommandInTime()
        {
            // One NOOP every 0.7 s is within smtpd_timeout, for ever; the session limit of 5 s ends it.
            string noops = string.Concat(Enumerable.Repeat("NOOP\r\n", 100));
            var (connection, _, log) = Serve(noops, 100, s => s.SessionLimitMilliseconds = 5000);
            Assert.EndsWith("421 4.4.2 mx.example.com Error: session time limit exceeded\r\n", connection.Written);
            int served = connection.Written.Split("250 2.0.0 Ok").Length - 1;
            Assert.InRange(served, 5, 9);
            Assert.Contains("session time limit exceeded after NOOP from", log.All);
        }

        [Fact]
        public void TheSessionLimitAlsoStopsAPipelinedFlood()
        {
            // Everything arrives at once: no read waits, yet the session still ends at its limit.
            var clock = new ManualClock();
            var flood = new ScriptedConnection().Then(string.Concat(Enumerable.Repeat("NOOP\r\n", 150)));
            var log = new ListLog();
            var session = new SmtpSession(Sessions.Settings(s => s.SessionLimitMilliseconds = 1000), new MemoryMessageStore().CreateSink(), new StepClock(clock, 10), log);
            session.Run(flood, ListenMode.Smtp);
            Assert.EndsWith("421 4.4.2 mx.example.com Error: session time limit exceeded\r\n", flood.WrittenText);
            Assert.True(flood.WrittenText.Split("250 2.0.0 Ok").Length - 1 < 150);
        }

        [Fact]
        public void TheBoardDefaultSessionLimitIsShort()
        {
            Assert.Equal(120_000, ServerSettings.From(new MainConfig(board: true)).SessionLimitMilliseconds);
            Assert.Equal(3_600_000, ServerSettings.From(new MainConfig(board: false)).SessionLimitMilliseconds);
        }

        [Fact]
        public void TheClientTimeoutIsForTheWholeReplyNotEachRead()
        {
            // A multi-line reply trickled at 50 ms a byte takes 3 s in all; the reply's timeout is 1 s.
            var clock = new ManualClock();
            var connection = new TricklingConnection(clock, "250-mx.example\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 1000\r\n", 50);
            var reader = new LineReader(64);
            reader.Attach(connection);
            var reply = new Reply(reader, new Deadline(clock));
            Assert.False(reply.Read(1000, null));
            Assert.True(reply.TimedOut);
            Assert.True(connection.Consumed < 25, connection.Consumed + " bytes read");

            var patient = new TricklingConnection(clock, "250-mx.example\r\n250 SIZE 1000\r\n", 50);
            reader.Attach(patient);
            Assert.True(reply.Read(5000, null));
            Assert.Equal(250, reply.Code);
        }

        /// <summary>A real slow client on a real listener: one byte every 200 ms never completes a line before smtpd_timeout.</summary>
        [Fact]
        public void SlowClientsOnARealListenerAreCutAndTheirSlotsFreed()
        {
            ServerSettings settings = Sessions.Settings(s =>
            {
                s.TimeoutMilliseconds = 2000;
                s.ConnectionLimit = 2;
            });
            ListenSpec listener = ListenSpec.Parse("127.0.0.1:1")!;
            listener.Endpoint.Port = 0;
            var server = new SmtpServer(settings, new[] { listener }, new HostNetwork(TlsSettings.None), new MemoryMessageStore(), new HostClock(), new ListLog());
            server.Start();
            try
            {
                int port = server.LocalEndpoint(0).Port;
                var slow = new[] { new SlowClient(port), new SlowClient(port) };
                foreach (SlowClient client in slow)
                {
                    client.Start();
                }

                foreach (SlowClient client in slow)
                {
                    Assert.True(client.Finished.Wait(60_000), "the server never cut a slow client");
                    Assert.Contains("421 4.4.2 mx.example.com Error: timeout exceeded", client.Replies);

                    // 200 bytes would take 40 s; the server cut the line long before it was complete.
                    Assert.True(client.Sent < 200, client.Sent + " bytes were sent before the cut");
                }

                // Both slots are free again: a normal client is served.
                Stopwatch waited = Stopwatch.StartNew();
                while (server.ActiveSessions > 0 && waited.ElapsedMilliseconds < 30_000)
                {
                    Thread.Sleep(20);
                }

                using var normal = new TcpClient("127.0.0.1", port) { ReceiveTimeout = 20_000 };
                var lines = new StreamReader(normal.GetStream(), Encoding.ASCII);
                Assert.StartsWith("220 ", lines.ReadLine());
                normal.GetStream().Write(Encoding.ASCII.GetBytes("NOOP\r\n"));
                Assert.Equal("250 2.0.0 Ok", lines.ReadLine());
            }
            finally
            {
                server.Stop();
            }
        }

        /// <summary>Sends "NOOP" and then spaces, one byte every 200 ms, until the server answers or closes; never a CRLF.</summary>
        private sealed class SlowClient
        {
            private readonly TcpClient _tcp;
            private readonly StringBuilder _replies = new();

            public SlowClient(int port) => _tcp = new TcpClient("127.0.0.1", port);

            public ManualResetEventSlim Finished { get; } = new();

            public int Sent { get; private set; }

            public string Replies
            {
                get
                {
                    lock (_replies)
                    {
                        return _replies.ToString();
                    }
                }
            }

            public void Start()
            {
                var reader = new Thread(() =>
                {
                    try
                    {
                        var buffer = new byte[512];
                        int n;
                        while ((n = _tcp.GetStream().Read(buffer, 0, buffer.Length)) > 0)
                        {
                            lock (_replies)
                            {
                                _replies.Append(Encoding.ASCII.GetString(buffer, 0, n));
                            }
                        }
                    }
                    catch (IOException)
                    {
                        // Cut by the server.
                    }
                    finally
                    {
                        Finished.Set();
                    }
                }) { IsBackground = true };
                reader.Start();
                var writer = new Thread(() =>
                {
                    byte[] line = Encoding.ASCII.GetBytes("NOOP" + new string(' ', 196));
                    try
                    {
                        for (int i = 0; i < line.Length && !Finished.IsSet; i++)
                        {
                            _tcp.GetStream().Write(line, i, 1);
                            Sent = i + 1;
                            Finished.Wait(200);
                        }
                    }
                    catch (IOException)
                    {
                        // Cut by the server.
                    }
                }) { IsBackground = true };
                writer.Start();
            }
        }

        /// <summary>A clock that moves on by a step each time the time is asked, as a busy board's would.</summary>
        private sealed class StepClock(ManualClock clock, int step) : IClock
        {
            public long MonotonicMilliseconds
            {
                get
                {
                    clock.Advance(step);
                    return clock.MonotonicMilliseconds;
                }
            }

            public bool TryGetUtcNow(out DateTime utcNow) => clock.TryGetUtcNow(out utcNow);

            public void Sleep(int milliseconds) => clock.Sleep(milliseconds);
        }

        /// <summary>One connection made of two: the first's input, then the second's (writes go to the one being read).</summary>
        private sealed class Concatenated(IConnection first, IConnection second, bool tls = false) : IConnection
        {
            private bool _second;

            public string? TlsProtocol => tls ? "TLSv1.3" : null;

            public Endpoint LocalEndpoint => first.LocalEndpoint;

            public Endpoint RemoteEndpoint => first.RemoteEndpoint;

            public int Read(byte[] buffer, int offset, int count, int timeoutMilliseconds)
            {
                if (!_second)
                {
                    int n = first.Read(buffer, offset, count, timeoutMilliseconds);
                    if (n != 0)
                    {
                        return n;
                    }

                    _second = true;
                }

                return second.Read(buffer, offset, count, timeoutMilliseconds);
            }

            public void Write(byte[] buffer, int offset, int count, int timeoutMilliseconds) => (_second ? second : first).Write(buffer, offset, count, timeoutMilliseconds);

            public void StartTlsClient(string serverName, bool verify, TlsaRecords? dane, int timeoutMilliseconds)
            {
            }

            public void StartTlsServer(int timeoutMilliseconds)
            {
            }

            public void Close()
            {
            }
        }
    }
}

namespace Emailcore.Nano.Tests.Hardening
{
    /// <summary>The host binding: the TLS handshake's timeout is for the whole handshake (a trickled ClientHello is cut).</summary>
    public sealed class HandshakeDeadlineTests
    {
        [Fact]
        public void ATrickledClientHelloIsCutAtTheHandshakeTimeout()
        {
            using var key = System.Security.Cryptography.RSA.Create(2048);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=mx.example.com", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var tls = new TlsSettings(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null), null);
            var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            using var client = new TcpClient("127.0.0.1", ((System.Net.IPEndPoint)listener.LocalEndpoint).Port);
            using Socket accepted = listener.AcceptSocket();
            listener.Stop();
            var done = new ManualResetEventSlim();
            int sent = 0;

            // A TLS handshake record header announcing 16 KiB, then one byte every 100 ms.
            var trickle = new Thread(() =>
            {
                byte[] hello = new byte[2000];
                hello[0] = 0x16;
                hello[1] = 3;
                hello[2] = 1;
                hello[3] = 0x40;
                try
                {
                    for (int i = 0; i < hello.Length && !done.IsSet; i++)
                    {
                        client.GetStream().Write(hello, i, 1);
                        sent = i + 1;
                        done.Wait(100);
                    }
                }
                catch (IOException)
                {
                    // Cut.
                }
            }) { IsBackground = true };
            trickle.Start();
            var connection = new TcpConnection(accepted, tls);
            var e = Assert.Throws<ConnectionException>(() => connection.StartTlsServer(1500));
            done.Set();
            Assert.Contains("timed out", e.Message);
            Assert.True(sent < 2000, sent + " bytes were taken");
            connection.Close();
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace Emailcore.Nano.Tests.Dns
{
    /// <summary>
    /// A real dnsmasq (Debian dnsmasq-base) on 127.0.0.1 and a free port, serving only the records given on its
    /// command line: no upstream, no /etc/hosts, no machine resolver. Killed on dispose.
    /// </summary>
    public sealed class DnsmasqServer : IDisposable
    {
        private const string Program = "/usr/sbin/dnsmasq";

        private readonly Process _process;
        private readonly StringBuilder _log = new();

        public DnsmasqServer(IEnumerable<string> records)
        {
            for (int attempt = 0; ; attempt++)
            {
                Port = FreePort();
                _process = Start(records);
                if (WaitUntilListening())
                {
                    return;
                }

                Kill();
                if (attempt == 2)
                {
                    throw new InvalidOperationException("dnsmasq did not start:\n" + Log);
                }
            }
        }

        public int Port { get; private set; }

        public string Endpoint => "127.0.0.1:" + Port;

        public string Log
        {
            get
            {
                lock (_log)
                {
                    return _log.ToString();
                }
            }
        }

        public void Dispose() => Kill();

        /// <summary>How often <paramref name="what"/> (such as "query[MX] example.test") stands in the log so far.</summary>
        public int Count(string what)
        {
            string log = Log;
            int n = 0;
            for (int at = log.IndexOf(what, StringComparison.Ordinal); at >= 0; at = log.IndexOf(what, at + 1, StringComparison.Ordinal))
            {
                n++;
            }

            return n;
        }

        // A port free for both UDP and TCP at the moment of asking; dnsmasq binds both.
        private static int FreePort()
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return port;
        }

        private Process Start(IEnumerable<string> records)
        {
            var start = new ProcessStartInfo(Program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[]
            {
                "--keep-in-foreground", "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
                "--listen-address=127.0.0.1", "--bind-interfaces", "--port=" + Port, "--log-queries", "--log-facility=-",
                "--pid-file", "--cache-size=0",
            })
            {
                start.ArgumentList.Add(argument);
            }

            if (Environment.UserName == "root")
            {
                start.ArgumentList.Add("--user=root");
            }

            foreach (string record in records)
            {
                start.ArgumentList.Add(record);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + Program);
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }

        private void Append(string? line)
        {
            if (line != null)
            {
                lock (_log)
                {
                    _log.AppendLine(line);
                }
            }
        }

        private bool WaitUntilListening()
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(10))
            {
                if (_process.HasExited)
                {
                    return false;
                }

                try
                {
                    using var probe = new TcpClient();
                    probe.Connect(IPAddress.Loopback, Port);
                    return true;
                }
                catch (SocketException)
                {
                    Thread.Sleep(50);
                }
            }

            return false;
        }

        private void Kill()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                    _process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            _process.Dispose();
        }
    }
}

using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Emailcore.Nano.Tests.Smtp.Server;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>
    /// An `emailcore relay` of its own: a temp root with main.cf, spool and Maildir (removed at Dispose), on the
    /// loopback port the test names or else on one the relay's system picks and the relay logs.
    /// </summary>
    public sealed class RelayProcess : IDisposable
    {
        private readonly StringBuilder _log = new();

        private readonly SilentPort _silentDns = SilentPort.Udp();
        private string _settings = "";
        private Process? _process;

        public RelayProcess(string settings, int? port = null)
        {
            Directory.CreateDirectory(Root);
            Port = port ?? 0;
            Configure(settings);
            Start();
            if (Port == 0)
            {
                // The port the relay bound, from its "listening on 127.0.0.1:PORT" line; restarts keep it. (None
                // when the test's own smtpd_listen has no plain listener.)
                Port = ListeningPort(Log);
                if (Port != 0)
                {
                    Configure(_settings);
                }
            }
        }

        public string Root { get; } = Path.Combine(Path.GetTempPath(), "emailcore-e2e-" + Guid.NewGuid().ToString("N"));

        public int Port { get; private set; }

        /// <summary>The relay's process id while it runs (for its memory, in the soak test).</summary>
        public int ProcessId => _process?.Id ?? 0;

        public string Config => Path.Combine(Root, "main.cf");

        public string Queue => Path.Combine(Root, "queue");

        public string Mail => Path.Combine(Root, "mail");

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

        /// <summary>
        /// Writes main.cf: the listener, spool and Maildir in the root, a DNS server address where nobody answers
        /// (no test may ask the machine's resolver), then the test's own lines.
        /// </summary>
        public void Configure(string settings)
        {
            _settings = settings;
            File.WriteAllText(Config,
                $"smtpd_listen = 127.0.0.1:{Port}\nqueue_directory = {Queue}\nhome_mailbox = {Mail}\nsmtpd_error_sleep_time = 0s\n" +
                $"dns_servers = 127.0.0.1:{_silentDns.Port}\n" + settings);
        }

        /// <summary>The port of the first plain listener on 127.0.0.1 a relay's log reports; 0 when there is none.</summary>
        public static int ListeningPort(string log)
        {
            Match m = Regex.Match(log, @"listening on 127\.0\.0\.1:(\d+)\r?$", RegexOptions.Multiline);
            return m.Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        }

        public void Start() => _process = RelayFixture.Start(Config, _log);

        /// <summary>SIGTERM and a bounded wait for the graceful stop.</summary>
        public void Stop()
        {
            if (_process == null)
            {
                return;
            }

            Run.Program("kill", new[] { "-TERM", _process.Id.ToString() });
            if (!_process.WaitForExit(20_000))
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.WaitForExit();
            _process.Dispose();
            _process = null;
        }

        /// <summary>Waits (bounded) until the log shows <paramref name="text"/> <paramref name="times"/> times.</summary>
        public bool WaitForLog(string text, TimeSpan timeout, int times = 1)
        {
            DateTime end = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < end)
            {
                string log = Log;
                int count = 0;
                for (int i = log.IndexOf(text, StringComparison.Ordinal); i >= 0; i = log.IndexOf(text, i + 1, StringComparison.Ordinal))
                {
                    count++;
                }

                if (count >= times)
                {
                    return true;
                }

                Thread.Sleep(100);
            }

            return false;
        }

        /// <summary>Files delivered to a local mailbox's new/ folder.</summary>
        public string[] Mailbox(string localPart)
        {
            string folder = Path.Combine(Mail, localPart, "new");
            return Directory.Exists(folder) ? Directory.GetFiles(folder) : Array.Empty<string>();
        }

        /// <summary>SIGKILL: no chance to clean up, the crash the spool must survive.</summary>
        public void Kill()
        {
            _process!.Kill();
            _process.WaitForExit(10_000);
            _process.WaitForExit();
            _process.Dispose();
            _process = null;
        }

        public void Dispose()
        {
            Stop();
            _silentDns.Dispose();
            if (Directory.Exists(Root))
            {
                Directory.Delete(Root, recursive: true);
            }
        }
    }
}

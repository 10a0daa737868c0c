using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Emailcore.Nano.Tests.Smtp.Server;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>Postfix's smtp-sink on a free loopback port, dumping each transaction to a file, as an upstream server.</summary>
    public sealed class SmtpSink : IDisposable
    {
        private readonly Process _process;

        public SmtpSink(params string[] options)
            : this(RelayFixture.FreePort(), options)
        {
        }

        public SmtpSink(int port, params string[] options)
        {
            Port = port;
            Directory.CreateDirectory(DumpDirectory);
            var start = new ProcessStartInfo("/usr/sbin/smtp-sink") { RedirectStandardError = true, RedirectStandardOutput = true };
            if (Environment.UserName == "root")
            {
                start.ArgumentList.Add("-u");
                start.ArgumentList.Add("root");
            }

            start.ArgumentList.Add("-d");
            start.ArgumentList.Add(DumpDirectory + "/%s.");
            foreach (string option in options)
            {
                start.ArgumentList.Add(option);
            }

            start.ArgumentList.Add("127.0.0.1:" + port);
            start.ArgumentList.Add("64");
            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            for (int i = 0; i < 100; i++)
            {
                try
                {
                    using var probe = new System.Net.Sockets.TcpClient("127.0.0.1", port);
                    return;
                }
                catch (System.Net.Sockets.SocketException)
                {
                    Thread.Sleep(50);
                }
            }

            throw new InvalidOperationException("smtp-sink did not start on port " + port);
        }

        public int Port { get; }

        public string DumpDirectory { get; } = Path.Combine(Path.GetTempPath(), "emailcore-sink-" + Guid.NewGuid().ToString("N"));

        /// <summary>Every transaction received so far.</summary>
        public List<SinkMessage> Messages()
        {
            var list = new List<SinkMessage>();
            foreach (string file in Directory.GetFiles(DumpDirectory).OrderBy(f => f, StringComparer.Ordinal))
            {
                list.Add(SinkMessage.Parse(File.ReadAllText(file)));
            }

            return list;
        }

        /// <summary>
        /// Waits (bounded) until at least <paramref name="count"/> transactions arrived and their dump files stopped
        /// growing: smtp-sink writes a dump while the message is still coming in.
        /// </summary>
        public List<SinkMessage> WaitFor(int count, TimeSpan timeout)
        {
            DateTime end = DateTime.UtcNow + timeout;
            long lastSize = -1;
            while (true)
            {
                string[] files = Directory.GetFiles(DumpDirectory);
                long size = files.Sum(f => new FileInfo(f).Length);
                if ((files.Length >= count && size == lastSize) || DateTime.UtcNow > end)
                {
                    return Messages();
                }

                lastSize = files.Length >= count ? size : -1;
                Thread.Sleep(250);
            }
        }

        public void Dispose()
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            _process.Dispose();
        }
    }

    /// <summary>One dumped transaction: the envelope smtp-sink saw and the message as it arrived.</summary>
    public sealed record SinkMessage(string MailFrom, string[] Recipients, string Content)
    {
        public static SinkMessage Parse(string dump)
        {
            string mail = string.Empty;
            var rcpts = new List<string>();
            int p = 0;
            while (dump.IndexOf("X-", p, StringComparison.Ordinal) == p)
            {
                int end = dump.IndexOf('\n', p);
                string line = dump.Substring(p, end - p).TrimEnd('\r');
                if (line.StartsWith("X-Mail-Args: ", StringComparison.Ordinal))
                {
                    mail = line.Substring(13);
                }
                else if (line.StartsWith("X-Rcpt-Args: ", StringComparison.Ordinal))
                {
                    rcpts.Add(line.Substring(13));
                }

                p = end + 1;
            }

            return new SinkMessage(mail, rcpts.ToArray(), dump.Substring(p));
        }
    }
}

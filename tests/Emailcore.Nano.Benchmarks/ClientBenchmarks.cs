using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using BenchmarkDotNet.Attributes;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Client;

using MimeKit;

namespace Emailcore.Nano.Benchmarks
{
    /// <summary>
    /// One message over an open session to the same Postfix smtp-sink, by our client and by MailKit's SmtpClient.
    /// Both reuse their connection; the ratio of the two rows is the figure to report.
    /// </summary>
    [MemoryDiagnoser]
    public class ClientBenchmarks
    {
        private Process _sink = null!;
        private SmtpClient _ours = null!;
        private MailKit.Net.Smtp.SmtpClient _mailKit = null!;
        private Envelope _envelope = null!;
        private ByteSource _content = null!;
        private MimeMessage _mime = null!;
        private MailboxAddress _from = null!;
        private MailboxAddress[] _to = null!;
        private DeliveryResult[] _results = null!;
        private readonly int[] _indexes = { 0 };

        [Params(1024, 16384)]
        public int Size { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var start = new ProcessStartInfo("/usr/sbin/smtp-sink") { RedirectStandardOutput = true, RedirectStandardError = true };
            if (Environment.UserName == "root")
            {
                start.ArgumentList.Add("-u");
                start.ArgumentList.Add("root");
            }

            start.ArgumentList.Add("127.0.0.1:" + port);
            start.ArgumentList.Add("64");
            _sink = Process.Start(start)!;
            Thread.Sleep(300);

            string body = new string('x', 76) + "\r\n";
            var text = new StringBuilder("From: a@client.example\r\nTo: b@far.example\r\nSubject: bench\r\n\r\n");
            while (text.Length < Size)
            {
                text.Append(body);
            }

            byte[] bytes = Encoding.ASCII.GetBytes(text.ToString());
            _content = new ByteSource(bytes);
            _mime = MimeMessage.Load(new System.IO.MemoryStream(bytes));
            _from = MailboxAddress.Parse("a@client.example");
            _to = new[] { MailboxAddress.Parse("b@far.example") };

            _envelope = new Envelope(256, 1);
            byte[] f = Encoding.ASCII.GetBytes("a@client.example");
            _envelope.SetReversePath(f, 0, f.Length);
            byte[] t = Encoding.ASCII.GetBytes("b@far.example");
            _envelope.AddRecipient(t, 0, t.Length, 0, null, 0, 0);
            _results = new[] { new DeliveryResult() };

            var endpoint = new Endpoint();
            Endpoint.TryParse("127.0.0.1", port, endpoint);
            endpoint.Port = port;
            _ours = new SmtpClient(new HostNetwork(TlsSettings.None), new HostClock(), new ClientSettings { HeloName = "client.example" }, 4);
            if (!_ours.Open(endpoint, "sink", "sink", TlsLevel.None, false, null, null, new DeliveryResult()))
            {
                throw new InvalidOperationException("cannot reach smtp-sink");
            }

            _mailKit = new MailKit.Net.Smtp.SmtpClient { LocalDomain = "client.example" };
            _mailKit.Connect("127.0.0.1", port, MailKit.Security.SecureSocketOptions.None);
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            _ours.Quit();
            _mailKit.Disconnect(true);
            _mailKit.Dispose();
            _sink.Kill();
            _sink.Dispose();
        }

        [Benchmark(Baseline = true)]
        public int MailKitSmtpClient()
        {
            _mailKit.Send(_mime, _from, _to);
            return 250;
        }

        [Benchmark]
        public int EmailcoreSmtpClient()
        {
            _results[0].Set(0, null, null, null);
            _ours.Send(_envelope, _indexes, 1, _content, _results);
            return _results[0].Code;
        }
    }
}

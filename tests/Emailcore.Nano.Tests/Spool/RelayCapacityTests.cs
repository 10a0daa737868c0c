using System;
using System.IO;
using System.Text;
using Emailcore.Nano.Tests.Smtp.Server;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Spool
{
    /// <summary>A full spool seen by a real client: 452 4.3.1 at MAIL with SIZE, after the dot without it, and nothing partial kept.</summary>
    public sealed class RelayCapacityTests
    {
        [Fact]
        public void FullSpoolAnswers452AndKeepsNothingPartial()
        {
            using var down = SilentPort.Tcp();
            using var relay = new RelayProcess(
                $"relayhost = [127.0.0.1]:{down.Port}\n" +
                "queue_size_limit = 65536\nspool_segment_size = 16384\nspool_page_size = 1024\nmessage_size_limit = 1000000\n");
            int port = relay.Port;
            try
            {
                RunResult run = Support.Python.Run($$"""
                    import smtplib
                    s = smtplib.SMTP('127.0.0.1', {{port}}, timeout=20)
                    s.ehlo('client.example')
                    big = b'Subject: big\r\n\r\n' + (b'x' * 998 + b'\r\n') * 100
                    # RFC 1870: the declared SIZE is refused at MAIL.
                    print(s.docmd('MAIL FROM:<a@client.example> SIZE=%d' % len(big)))
                    s.rset()
                    # Without SIZE the spool fills while receiving: 452 after the dot.
                    s.mail('a@client.example'); s.rcpt('full@far.example')
                    print(s.data(big))
                    # The session stays usable and a small message still fits.
                    s.mail('a@client.example'); s.rcpt('full@far.example')
                    print(s.data(b'Subject: small\r\n\r\nfits\r\n')[0])
                    s.quit()
                    """, "");
                Assert.True(run.ExitCode == 0, run + relay.Log);
                string[] lines = run.StandardOutput.Replace("\r", "").TrimEnd('\n').Split('\n');
                Assert.StartsWith("(452, b'4.3.1 ", lines[0]);
                Assert.StartsWith("(452, b'4.3.1 ", lines[1]);
                Assert.Equal("250", lines[2]);
                var queued = Delivered.Queued(relay.Queue, "full@far.example");
                Assert.Single(queued);
                Assert.Contains("Subject: small", Assert.Single(queued.Values));
            }
            finally
            {
                relay.Stop();
            }

            RunResult check = Run.Emailcore("spool", "check", "--config", relay.Config);
            Assert.True(check.ExitCode == 0, check.ToString());
        }
    }
}

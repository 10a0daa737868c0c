using System;
using System.IO;
using System.Linq;
using System.Threading;
using Emailcore.Nano.Tests.Dns;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Relay
{
    /// <summary>
    /// The relay's DSNs as a real upstream (aiosmtpd, found through a real dnsmasq) makes them, parsed by Python's
    /// email package: Remote-MTA only as a DNS name (RFC 3464 §2.3.5), the server's reply as "smtp;" and our own
    /// text as "X-Emailcore;" (§2.3.6), and a size bounce that states the limit.
    /// </summary>
    public sealed class DsnWireTests : IDisposable
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

        private readonly Aiosmtpd _upstream = new(requireStartTls: false, sizeLimit: 2000);

        private readonly DnsmasqServer _dns = new(new[] { "--local=/dsn.test/", "--host-record=mx.dsn.test,127.0.0.1" });

        public void Dispose()
        {
            _dns.Dispose();
            _upstream.Dispose();
        }

        [Fact]
        public void BouncesNameTheUpstreamByNameAndTellOurTextFromItsReply()
        {
            using var relay = new RelayProcess($"myhostname = relay.dsn.test\ndns_servers = {_dns.Endpoint}\ntransport_maps = far.dsn.test [mx.dsn.test]:{_upstream.Port}\n");
            Assert.True(SmtpLib.Send(relay.Port, "bob@localhost", new[] { "nosuch@far.dsn.test" }, "Subject: refused\r\n\r\nbody\r\n").ExitCode == 0);
            Assert.True(SpinWait.SpinUntil(() => relay.Mailbox("bob").Length == 1, Wait), relay.Log);
            string big = "Subject: too big\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('x', 76) + "\r\n", 40));
            Assert.True(SmtpLib.Send(relay.Port, "bob@localhost", new[] { "ok@far.dsn.test" }, big).ExitCode == 0);
            Assert.True(SpinWait.SpinUntil(() => relay.Mailbox("bob").Length == 2, Wait), relay.Log);

            string[] reports = relay.Mailbox("bob").Select(f => Fields(File.ReadAllText(f))).OrderBy(r => r).ToArray();
            Assert.Equal(
                "rfc822; nosuch@far.dsn.test | failed | 5.1.1 | dns; mx.dsn.test | smtp; 550 5.1.1 <nosuch@far.dsn.test>: no such user",
                reports[0]);
            Assert.True(reports[1].StartsWith("rfc822; ok@far.dsn.test | failed | 5.3.4 | dns; mx.dsn.test | X-Emailcore; 552 5.3.4 message of ", StringComparison.Ordinal), reports[1]);
            Assert.True(reports[1].EndsWith(" bytes exceeds the limit of 2000 bytes that mx.dsn.test[127.0.0.1]:" + _upstream.Port + " announced in EHLO SIZE", StringComparison.Ordinal), reports[1]);
            Assert.Equal(string.Empty, _upstream.Received);
        }

        private static string Fields(string dsn)
        {
            RunResult parsed = Python.Run("""
                import sys, email
                from email import policy
                m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.compat32)
                r = m.get_payload()[1].get_payload()[1]
                print(r['Final-Recipient'], r['Action'], r['Status'], r['Remote-MTA'], r['Diagnostic-Code'], sep=' | ')
                """, dsn);
            Assert.True(parsed.ExitCode == 0, parsed.ToString());
            return parsed.StandardOutput.Trim();
        }
    }
}

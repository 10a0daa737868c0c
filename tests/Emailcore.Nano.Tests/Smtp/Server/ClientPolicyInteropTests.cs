using System;
using System.IO;
using System.Linq;
using Emailcore.Nano.Tests.Dns;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Smtp.Server
{
    /// <summary>
    /// `emailcore relay` with FCrDNS and the RFC 5321bis AS §2.1/§2.4 policies on, its DNS a real dnsmasq, driven by swaks
    /// and smtplib bound to 127.0.0.2 and 127.0.0.3: mynetworks holds only 127.0.0.1.
    /// </summary>
    public sealed class ClientPolicyInteropTests : IClassFixture<ClientZoneFixture>, IDisposable
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
        private readonly DnsmasqServer _dnsmasq;
        private readonly RelayProcess _relay;

        public ClientPolicyInteropTests(ClientZoneFixture fixture)
        {
            _dnsmasq = fixture.Server;
            _relay = new RelayProcess(
                "mynetworks = 127.0.0.1/32\n" +
                $"dns_servers = {_dnsmasq.Endpoint}\n" +
                "smtpd_peername_lookup = yes\n" +
                "smtpd_reject_unmatched_helo_hostname = yes\n" +
                "smtpd_reject_literal_helo_hostname = yes\n" +
                "smtpd_reject_literal_sender_domain = yes\n");
        }

        public void Dispose()
        {
            _relay.Dispose();
        }

        [Fact]
        public void ReceivedShowsTheConfirmedClientName()
        {
            RunResult sent = Swaks("127.0.0.2", "mail.client.test", "a@client.test", "alice@localhost");
            Assert.True(sent.ExitCode == 0, sent + "\n" + _relay.Log);
            Assert.True(_relay.WaitForLog("to=<alice@localhost>, relay=local", Wait), _relay.Log);
            string message = File.ReadAllText(_relay.Mailbox("alice").Single());
            Assert.Contains("\nReceived: from mail.client.test (mail.client.test [127.0.0.2])\r\n", message.Replace("\r\nReceived", "\nReceived"));
            Assert.Contains("connect from mail.client.test[127.0.0.2]", _relay.Log);
            Assert.Contains(": client=mail.client.test[127.0.0.2]", _relay.Log);
        }

        [Fact]
        public void EachPolicyRefusesItsCaseFromOutsideMynetworks()
        {
            // AS §2.1 with smtplib: liar.client.test's A record is 127.0.0.33, not the client's 127.0.0.3 (and its PTR does not confirm).
            RunResult unmatched = Python.Run("""
                import smtplib
                s = smtplib.SMTP('127.0.0.1', PORT, timeout=20, source_address=('127.0.0.3', 0))
                s.ehlo('liar.client.test')
                s.mail('a@client.test')
                print(s.rcpt('alice@localhost'))
                s.quit()
                """.Replace("PORT", _relay.Port.ToString()), "");
            Assert.True(unmatched.ExitCode == 0, unmatched + "\n" + _relay.Log);
            Assert.Contains("(550, b'5.7.1 <liar.client.test>: Helo command rejected: Host name has no address record of your address')", unmatched.StandardOutput);
            Assert.Contains("NOQUEUE: reject: RCPT from unknown[127.0.0.3]: 550 5.7.1 <liar.client.test>: Helo command rejected: Host name has no address record of your address;"
                + " from=<a@client.test> to=<alice@localhost> proto=ESMTP helo=<liar.client.test>", _relay.Log);

            // AS §2.4 with swaks: an address literal in EHLO, then an address-literal sender.
            RunResult literal = Swaks("127.0.0.2", "[127.0.0.2]", "a@client.test", "alice@localhost");
            Assert.Contains("<** 550 5.7.1 <[127.0.0.2]>: Helo command rejected: An IP address or localhost is not a host name", literal.StandardOutput);
            RunResult sender = Swaks("127.0.0.2", "mail.client.test", "a@[127.0.0.2]", "alice@localhost");
            Assert.Contains("<** 550 5.7.1 <a@[127.0.0.2]>: Sender address rejected: An address literal or localhost is not a mail domain", sender.StandardOutput);
            Assert.Contains("NOQUEUE: reject: RCPT from mail.client.test[127.0.0.2]: 550 5.7.1 <a@[127.0.0.2]>: Sender address rejected:", _relay.Log);

            // The same from mynetworks passes every policy.
            RunResult trusted = Swaks("127.0.0.1", "[127.0.0.1]", "a@[127.0.0.1]", "alice@localhost");
            Assert.True(trusted.ExitCode == 0, trusted + "\n" + _relay.Log);
            Assert.True(_relay.WaitForLog("to=<alice@localhost>, relay=local", Wait), _relay.Log);
        }

        private RunResult Swaks(string source, string helo, string from, string to) =>
            Run.Program("swaks", new[] { "--server", "127.0.0.1:" + _relay.Port, "--local-interface", source, "--helo", helo, "--from", from, "--to", to, "--body", "policy test" }, Wait);
    }
}

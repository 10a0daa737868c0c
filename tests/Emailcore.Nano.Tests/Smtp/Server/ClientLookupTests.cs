using System;
using System.Diagnostics;
using Emailcore.Nano.Config;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Relay;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Tests.Dns;
using Emailcore.Nano.Tests.Portable;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Smtp.Server
{
    /// <summary>One dnsmasq with the names and PTR records of clients on 127.0.0.x and ::1.</summary>
    public sealed class ClientZoneFixture : IDisposable
    {
        public ClientZoneFixture()
        {
            Server = new DnsmasqServer(new[]
            {
                // Names dnsmasq does not hold under these are NXDOMAIN, not REFUSED.
                "--local=/client.test/", "--local=/127.in-addr.arpa/", "--local=/ip6.arpa/",
                // A and PTR: 127.0.0.2 is confirmed.
                "--host-record=mail.client.test,127.0.0.2",
                // A PTR whose name leads elsewhere: 127.0.0.3 is not.
                "--ptr-record=3.0.0.127.in-addr.arpa,liar.client.test",
                "--host-record=liar.client.test,127.0.0.33",
                // Two PTRs, only one confirmed.
                "--ptr-record=5.0.0.127.in-addr.arpa,first.client.test",
                "--ptr-record=5.0.0.127.in-addr.arpa,second.client.test",
                "--host-record=second.client.test,127.0.0.5",
                "--host-record=other.client.test,127.0.0.9",
                "--host-record=v6.client.test,::1",
            });
        }

        public DnsmasqServer Server { get; }

        public void Dispose() => Server.Dispose();
    }

    /// <summary>
    /// Relay/ClientLookup and the session's use of it against a real dnsmasq: FCrDNS names in the log and Received,
    /// smtpd_reject_unmatched_helo_hostname (RFC 5321bis AS §2.1), the time bound and the cache.
    /// </summary>
    public sealed class ClientLookupTests : IClassFixture<ClientZoneFixture>
    {
        private readonly DnsmasqServer _dnsmasq;
        private readonly ListLog _lookupLog = new();

        public ClientLookupTests(ClientZoneFixture fixture)
        {
            _dnsmasq = fixture.Server;
        }

        [Theory]
        [InlineData("127.0.0.2", "2.0.0.127.in-addr.arpa")]
        // RFC 3596 §2.5's own example.
        [InlineData("[4321:0:1:2:3:4:567:89ab]", "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa")]
        public void ReverseNames(string address, string expected)
        {
            var endpoint = new Endpoint();
            Assert.True(Endpoint.TryParse(address, 0, endpoint));
            var name = new DnsName();
            name.SetReverse(endpoint);
            Assert.Equal(expected, name.ToString());
        }

        [Theory]
        [InlineData("127.0.0.2", "mail.client.test")]
        [InlineData("127.0.0.5", "second.client.test")]
        [InlineData("[::1]", "v6.client.test")]
        [InlineData("127.0.0.3", "")]
        [InlineData("127.0.0.4", "")]
        public void ConfirmedNames(string address, string expected)
        {
            IClientLookup lookup = Lookup(_dnsmasq.Endpoint);
            var client = new Endpoint();
            Assert.True(Endpoint.TryParse(address, 0, client));
            byte[] name = new byte[255];
            int n = lookup.ConfirmedName(client, name, 10000);
            Assert.True(expected == Text.Ascii.GetString(name, 0, n), "got \"" + Text.Ascii.GetString(name, 0, n) + "\"\n" + _lookupLog.All + _dnsmasq.Log);
        }

        [Fact]
        public void ConfirmedNameIsInEveryLogLineAndInReceived()
        {
            SessionCases.SessionRun r = Session("127.0.0.2", "EHLO mail.client.test\r\nMAIL FROM:<a@client.test>\r\nRCPT TO:<b@localhost>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n",
                s => s.PeernameLookup = true);
            Assert.Equal("220,250,250,250,354,250,221", r.Codes);
            Assert.Contains("connect from mail.client.test[127.0.0.2]", r.Log.All);
            Assert.Contains(": client=mail.client.test[127.0.0.2]", r.Log.All);
            Assert.Contains("disconnect from mail.client.test[127.0.0.2]", r.Log.All);
            Assert.StartsWith("Received: from mail.client.test (mail.client.test [127.0.0.2])\r\n", r.Store.Single().Text);
        }

        [Fact]
        public void UnconfirmedNameIsUnknownWithPostfixsWarning()
        {
            SessionCases.SessionRun r = Session("127.0.0.3", "EHLO liar.client.test\r\nMAIL FROM:<a@client.test>\r\nRCPT TO:<b@localhost>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n",
                s => s.PeernameLookup = true);
            Assert.Contains("connect from unknown[127.0.0.3]", r.Log.All);
            Assert.Contains("hostname liar.client.test does not resolve to address 127.0.0.3", _lookupLog.All);
            Assert.StartsWith("Received: from liar.client.test (unknown [127.0.0.3])\r\n", r.Store.Single().Text);
        }

        [Theory]
        [InlineData("127.0.0.2", "mail.client.test", "250 2.1.5 Ok")]
        [InlineData("127.0.0.2", "MAIL.Client.Test", "250 2.1.5 Ok")]
        [InlineData("127.0.0.2", "other.client.test", "550 5.7.1 <other.client.test>: Helo command rejected: Host name has no address record of your address")]
        [InlineData("127.0.0.2", "nx.client.test", "550 5.7.1 <nx.client.test>: Helo command rejected: Host name has no address record of your address")]
        // Address literals are smtpd_reject_literal_helo_hostname's (AS §2.4), not this check's.
        [InlineData("127.0.0.2", "[127.0.0.9]", "250 2.1.5 Ok")]
        [InlineData("[::1]", "v6.client.test", "250 2.1.5 Ok")]
        [InlineData("[::1]", "mail.client.test", "550 5.7.1 <mail.client.test>: Helo command rejected: Host name has no address record of your address")]
        // mynetworks (127.0.0.1/32 here) is exempt.
        [InlineData("127.0.0.1", "other.client.test", "250 2.1.5 Ok")]
        public void UnmatchedHeloIsRefusedAtRcpt(string client, string helo, string reply)
        {
            SessionCases.SessionRun r = Session(client, "EHLO " + helo + "\r\nMAIL FROM:<a@client.test>\r\nRCPT TO:<b@localhost>\r\nRCPT TO:<c@localhost>\r\nQUIT\r\n", s =>
            {
                s.RejectUnmatchedHelo = true;
                s.HeloBareNames = true;
            });
            Assert.Equal("220,250,250," + reply[..3] + "," + reply[..3] + ",221", r.Codes);
            Assert.Contains("\r\n" + reply + "\r\n", r.Replies);
            if (reply[0] == '5')
            {
                Assert.Contains("NOQUEUE: reject: RCPT from unknown[" + client.Trim('[', ']') + "]: " + reply + "; from=<a@client.test> to=<c@localhost> proto=ESMTP helo=<" + helo + ">", r.Log.All);
            }
        }

        [Fact]
        public void SilentDnsGives450WithinTheBound()
        {
            using var silent = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            string server = "127.0.0.1:" + ((System.Net.IPEndPoint)silent.Client.LocalEndPoint!).Port;
            IClientLookup lookup = Lookup(server);
            var watch = Stopwatch.StartNew();
            SessionCases.SessionRun r = Session("127.0.0.2", "EHLO mail.client.test\r\nMAIL FROM:<a@client.test>\r\nRCPT TO:<b@localhost>\r\nQUIT\r\n", s =>
            {
                s.RejectUnmatchedHelo = true;
                s.PeernameLookup = true;
                s.ClientLookupMilliseconds = 1000;
            }, lookup);

            // Two lookups of at most 1 s each, where dns_timeout = 5s and dns_attempts = 2 alone would allow 10 s each.
            Assert.True(watch.ElapsedMilliseconds < 6000, watch.ElapsedMilliseconds + " ms");
            Assert.Contains("\r\n450 4.7.1 <mail.client.test>: Helo command rejected: Host name lookup failed, try again later\r\n", r.Replies);
            Assert.Contains("connect from unknown[127.0.0.2]", r.Log.All);
            Assert.Contains("127.0.0.2: hostname lookup failed: time limit reached", _lookupLog.All);
        }

        [Fact]
        public void AStalledLookupHoldsOnlyItsOwnSession()
        {
            using var silent = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            string dns = "127.0.0.1:" + ((System.Net.IPEndPoint)silent.Client.LocalEndPoint!).Port;
            ServerSettings settings = Settings(s =>
            {
                s.ConnectionLimit = 2;
                s.PeernameLookup = true;
                s.ClientLookupMilliseconds = 3000;
            });
            int port = RelayFixture.FreePort();
            var network = new HostNetwork(TlsSettings.None);
            var server = new SmtpServer(settings, new[] { ListenSpec.Parse("127.0.0.1:" + port)! }, network, new MemoryMessageStore(), new HostClock(), _lookupLog,
                ClientLookup.ForSlots(Config(dns), settings, network, new HostRandom(), new HostClock(), _lookupLog));
            server.Start();
            try
            {
                var watch = Stopwatch.StartNew();
                using var first = new System.Net.Sockets.TcpClient("127.0.0.1", port) { ReceiveTimeout = 20000 };
                using var second = new System.Net.Sockets.TcpClient("127.0.0.1", port) { ReceiveTimeout = 20000 };
                string greeting1 = new System.IO.StreamReader(first.GetStream()).ReadLine() ?? "(closed)";
                string greeting2 = new System.IO.StreamReader(second.GetStream()).ReadLine() ?? "(closed)";

                // Each session waited its own 3 s at once; one after the other would take 6 s.
                Assert.True(watch.ElapsedMilliseconds < 5500, watch.ElapsedMilliseconds + " ms");
                Assert.StartsWith("220 ", greeting1);
                Assert.StartsWith("220 ", greeting2);
            }
            finally
            {
                server.Stop();
            }
        }

        [Fact]
        public void AnswersAreCachedAcrossSlots()
        {
            IClientLookup[] slots = ClientLookup.ForSlots(Config(_dnsmasq.Endpoint), Settings(s =>
            {
                s.ConnectionLimit = 2;
                s.PeernameLookup = true;
            }), new HostNetwork(TlsSettings.None), new HostRandom(), new HostClock(), _lookupLog)!;
            var client = new Endpoint();
            Endpoint.TryParse("127.0.0.2", 0, client);
            byte[] name = new byte[255];
            Assert.True(slots[0].ConfirmedName(client, name, 10000) > 0, _dnsmasq.Log);
            Settle(slots[0], client);
            int ptr = _dnsmasq.Count("query[PTR] 2.0.0.127.in-addr.arpa");
            int a = _dnsmasq.Count("query[A] mail.client.test");
            Assert.Equal("mail.client.test", Text.Ascii.GetString(name, 0, slots[1].ConfirmedName(client, name, 10000)));
            Assert.Equal(AddressMatch.Match, slots[1].Matches("mail.client.test", client, 10000));
            Settle(slots[1], client);
            Assert.Equal(ptr, _dnsmasq.Count("query[PTR] 2.0.0.127.in-addr.arpa"));
            Assert.Equal(a, _dnsmasq.Count("query[A] mail.client.test"));
        }

        // dnsmasq logs each query in order but its output arrives late: a fresh name asked and seen in the log means every earlier query is there too.
        private void Settle(IClientLookup slot, Endpoint client)
        {
            string marker = "settle-" + Guid.NewGuid().ToString("N") + ".client.test";
            Assert.Equal(AddressMatch.NoMatch, slot.Matches(marker, client, 10000));
            var watch = Stopwatch.StartNew();
            while (_dnsmasq.Count(marker) == 0)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "dnsmasq did not log " + marker + "\n" + _dnsmasq.Log);
                System.Threading.Thread.Sleep(20);
            }
        }

        [Fact]
        public void NothingIsAllocatedWhenNoPolicyNeedsDns()
        {
            Assert.Null(ClientLookup.ForSlots(Config(_dnsmasq.Endpoint), Settings(s => s.RejectLiteralHelo = true), new HostNetwork(TlsSettings.None), new HostRandom(), new HostClock(), _lookupLog));
            Assert.Throws<ArgumentException>(() => new SmtpSession(Settings(s => s.PeernameLookup = true), new MemoryMessageStore().CreateSink(), new HostClock(), _lookupLog));
        }

        private SessionCases.SessionRun Session(string client, string input, Action<ServerSettings> tweak, IClientLookup? lookup = null)
        {
            lookup ??= Lookup(_dnsmasq.Endpoint);
            return SessionCases.Run(input, s =>
            {
                s.Mynetworks = new[] { AddressRange.Parse("127.0.0.1/32") };
                tweak(s);
            }, 0, run =>
            {
                run.Connection.RemoteEndpoint = ScriptedConnection.Parse(client + ":40000");
                run.Lookup = lookup;
            });
        }

        private IClientLookup Lookup(string server)
        {
            MainConfig config = Config(server);
            return ClientLookup.ForSlots(config, Settings(s => s.PeernameLookup = true), new HostNetwork(TlsSettings.None), new HostRandom(), new HostClock(), _lookupLog)![0];
        }

        private static ServerSettings Settings(Action<ServerSettings> tweak) => SessionCases.Settings(s =>
        {
            s.ConnectionLimit = 1;
            tweak(s);
        });

        private static MainConfig Config(string server)
        {
            var config = new MainConfig(board: false);
            config.Set("dns_servers", server, 0);
            config.Validate();
            return config;
        }
    }
}

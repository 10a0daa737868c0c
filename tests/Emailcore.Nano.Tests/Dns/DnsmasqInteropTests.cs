using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Emailcore.Nano.Config;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Dns
{
    /// <summary>One dnsmasq for the class, serving the zone the interop tests route through.</summary>
    public sealed class DnsmasqFixture : IDisposable
    {
        public const int BigMxCount = 40;

        public DnsmasqFixture()
        {
            var records = new List<string>
            {
                // Only locally known names; anything else under example.test is NXDOMAIN.
                "--local=/example.test/",
                "--mx-host=example.test,mx1.example.test,10",
                "--mx-host=example.test,mx2.example.test,10",
                "--mx-host=example.test,backup.example.test,20",
                "--host-record=mx1.example.test,192.0.2.1,2001:db8::1",
                "--host-record=mx2.example.test,192.0.2.2",
                "--host-record=backup.example.test,192.0.2.3",
                "--host-record=plain.example.test,192.0.2.9",
                "--cname=alias.example.test,plain.example.test",
                "--host-record=v6only.example.test,2001:db8::66",
                // RFC 7505 null MX: preference 0, exchange the root (rdata 00 00 00).
                "--dns-rr=nullmx.example.test,15,000000",
            };
            // An MX answer of about 2.5 KB (within a board's dns_message_size_limit of 4096): over UDP it comes back truncated and must be asked again over TCP.
            for (int i = BigMxCount; i >= 1; i--)
            {
                records.Add("--mx-host=big.example.test," + BigHost(i) + "," + i);
            }

            records.Add("--host-record=" + BigHost(1) + ",192.0.2.101");
            records.Add("--host-record=" + BigHost(2) + ",192.0.2.102");
            Server = new DnsmasqServer(records);
        }

        public DnsmasqServer Server { get; }

        public static string BigHost(int i) => "relay-" + i + "-with-a-rather-long-label-for-size.example.test";

        public void Dispose() => Server.Dispose();
    }

    /// <summary>The resolver and `emailcore dns mx` against a real dnsmasq on loopback; nothing reaches the machine's resolver.</summary>
    public sealed class DnsmasqInteropTests : IClassFixture<DnsmasqFixture>
    {
        private readonly DnsmasqServer _dnsmasq;

        public DnsmasqInteropTests(DnsmasqFixture fixture)
        {
            _dnsmasq = fixture.Server;
        }

        [Fact]
        public void MxVerbPrintsTargetsByPreferenceWithTheirAddresses()
        {
            RunResult run = Run.Emailcore("dns", "mx", "example.test", "--server", _dnsmasq.Endpoint);
            Assert.True(run.ExitCode == 0, run + "\n" + _dnsmasq.Log);
            string[] lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, lines.Length);
            Assert.Equal(new[] { "10 mx1.example.test 192.0.2.1 2001:db8::1", "10 mx2.example.test 192.0.2.2" }, lines[..2].OrderBy(l => l));
            Assert.Equal("20 backup.example.test 192.0.2.3", lines[2]);
        }

        [Theory]
        [InlineData("plain.example.test", "0 plain.example.test 192.0.2.9")]
        [InlineData("alias.example.test", "0 alias.example.test 192.0.2.9")]
        [InlineData("v6only.example.test", "0 v6only.example.test 2001:db8::66")]
        [InlineData("[192.0.2.44]", "0 [192.0.2.44] 192.0.2.44")]
        public void MxVerbFallsBackToTheDomainItself(string domain, string expected)
        {
            RunResult run = Run.Emailcore("dns", "mx", domain, "--server", _dnsmasq.Endpoint);
            Assert.True(run.ExitCode == 0, run + "\n" + _dnsmasq.Log);
            Assert.Equal(expected + "\n", run.StandardOutput.Replace("\r\n", "\n"));
        }

        [Theory]
        [InlineData("nullmx.example.test", "5.1.10 domain nullmx.example.test does not accept mail (null MX)")]
        [InlineData("nope.example.test", "5.1.2 domain nope.example.test does not exist (NXDOMAIN)")]
        public void MxVerbExplainsPermanentFailures(string domain, string reason)
        {
            RunResult run = Run.Emailcore("dns", "mx", domain, "--server", _dnsmasq.Endpoint);
            Assert.Equal(1, run.ExitCode);
            Assert.Equal("emailcore: " + domain + ": " + reason + "\n", run.StandardError.Replace("\r\n", "\n"));
            Assert.Equal(string.Empty, run.StandardOutput);
        }

        [Fact]
        public void MxVerbReportsASilentServerAsTemporary()
        {
            string config = Path.Combine(Path.GetTempPath(), "emailcore-dns-" + Guid.NewGuid().ToString("N") + ".cf");
            File.WriteAllText(config, "dns_timeout = 1s\ndns_attempts = 1\n");
            try
            {
                // A UDP port nobody listens on: the query goes unanswered.
                using var silent = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
                string server = "127.0.0.1:" + ((System.Net.IPEndPoint)silent.Client.LocalEndPoint!).Port;
                RunResult run = Run.Emailcore("dns", "mx", "example.test", "--server", server, "--config", config);
                Assert.Equal(75, run.ExitCode);
                Assert.Contains("emailcore: example.test: 4.4.3 MX lookup for example.test failed: no answer from " + server + " within 1s", run.StandardError);
            }
            finally
            {
                File.Delete(config);
            }
        }

        [Fact]
        public void MxVerbRefusesABadServer()
        {
            RunResult run = Run.Emailcore("dns", "mx", "example.test", "--server", "dns.example:53");
            Assert.Equal(1, run.ExitCode);
            Assert.Equal("emailcore: --server: \"dns.example:53\" is not an address such as 192.0.2.53, 127.0.0.1:5353 or [2001:db8::53]:53\n", run.StandardError.Replace("\r\n", "\n"));
        }

        [Fact]
        public void TruncatedAnswerIsFetchedOverTcp()
        {
            var network = new CountingNetwork(new HostNetwork(TlsSettings.None));
            MailRouter router = Router(network, out DnsResolver resolver);
            MailRoute route = router.Route("big.example.test", 25);
            Assert.True(route.Status == RouteStatus.Deliverable, route.EnhancedCode + " " + route.Reason + "\n" + _dnsmasq.Log);
            Assert.Equal(1, network.Connects);
            Assert.Equal(new[] { DnsmasqFixture.BigHost(1), DnsmasqFixture.BigHost(2) }, Enumerable.Range(0, route.Count).Select(i => route[i].Host));
            Assert.Equal("192.0.2.101:25", route[0].Address(0).ToString());

            // The second time the answer comes from the cache: no query, no TCP.
            int queries = _dnsmasq.Count("query[MX] big.example.test");
            router.Route("big.example.test", 25);
            Assert.Equal(queries, _dnsmasq.Count("query[MX] big.example.test"));
            Assert.Equal(1, network.Connects);
        }

        [Fact]
        public void ResolverFollowsTheCnameDnsmasqServes()
        {
            var network = new CountingNetwork(new HostNetwork(TlsSettings.None));
            Router(network, out DnsResolver resolver);
            var set = new RecordSet();
            var name = new DnsName();
            name.Set("alias.example.test");
            Assert.Equal(LookupStatus.Found, resolver.Lookup(name, RecordType.A, set));
            var address = new Endpoint();
            set.CopyAddress(0, address);
            Assert.Equal("192.0.2.9", address.AddressText());
            Assert.Equal(0, network.Connects);
        }

        private MailRouter Router(INetwork network, out DnsResolver resolver)
        {
            var config = new MainConfig(board: true);
            config.Set("dns_servers", _dnsmasq.Endpoint, 0);
            // Slots of 1 KiB, so that the long MX answer fits one and the second lookup comes from the cache.
            config.Set("dns_cache_bytes", "16384", 0);
            config.Validate();
            var random = new HostRandom();
            resolver = DnsResolver.Create(config, network, random, new HostClock(), new ListLog());
            return new MailRouter(resolver, random, true);
        }

        /// <summary>The host's real network, counting TCP connections so a test can see the TCP retry happen.</summary>
        private sealed class CountingNetwork : INetwork
        {
            private readonly INetwork _inner;

            public CountingNetwork(INetwork inner)
            {
                _inner = inner;
            }

            public int Connects { get; private set; }

            public IConnection Connect(Endpoint remote, int timeoutMilliseconds)
            {
                Connects++;
                return _inner.Connect(remote, timeoutMilliseconds);
            }

            public IListener Listen(Endpoint local) => _inner.Listen(local);

            public IDatagramSocket OpenDatagram(Endpoint family) => _inner.OpenDatagram(family);

            public Endpoint[] SystemDnsServers() => throw new InvalidOperationException("the tests never use the machine's resolver");
        }
    }
}

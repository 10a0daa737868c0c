using System;
using System.Collections.Generic;
using System.Linq;
using Emailcore.Nano.Config;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Dns
{
    /// <summary>RFC 5321 §5.1 routing over a scripted zone: preferences, shuffles, implicit and null MX, literals, failures.</summary>
    public sealed class MailRouterTests
    {
        private readonly Dictionary<(string, int), Func<FakeQuery, byte[]>> _zone = new();
        private readonly FakeDnsNetwork _network;

        public MailRouterTests()
        {
            // Anything not in the zone is NXDOMAIN; answers larger than the EDNS size come truncated over UDP, whole over TCP.
            _network = new FakeDnsNetwork(q =>
            {
                byte[] answer = Answer(q);
                return FakeDnsNetwork.From(q, answer.Length <= 1232 ? answer : DnsPacket.Response(q.Id, q.Name, q.Type, 0, truncated: true).ToArray());
            })
            {
                Tcp = Answer,
            };
        }

        [Fact]
        public void MxHostsComeByPreferenceWithEqualOnesShuffled()
        {
            Mx("example.com", (20, "c.example.com"), (10, "a.example.com"), (30, "d.example.com"), (10, "b.example.com"));
            Host("a.example.com", "192.0.2.1");
            Host("b.example.com", "192.0.2.2");
            Host("c.example.com", "192.0.2.3", "2001:db8::3");
            Host("d.example.com", "2001:db8::4");
            var firsts = new HashSet<string>();
            for (int seed = 0; seed < 20; seed++)
            {
                MailRoute route = Router(seed).Route("example.com", 25);
                Assert.Equal(RouteStatus.Deliverable, route.Status);
                string[] hosts = Enumerable.Range(0, route.Count).Select(i => route[i].Host).ToArray();
                Assert.Equal(new[] { "a.example.com", "b.example.com" }, hosts[..2].OrderBy(h => h));
                Assert.Equal(new[] { "c.example.com", "d.example.com" }, hosts[2..]);
                firsts.Add(hosts[0]);
                Assert.Equal(new[] { 10, 10, 20, 30 }, Enumerable.Range(0, route.Count).Select(i => route[i].Preference));
                Assert.Equal(new[] { "192.0.2.3:25", "[2001:db8::3]:25" }, Addresses(route[2]));
                Assert.Equal(new[] { "[2001:db8::4]:25" }, Addresses(route[3]));
            }

            Assert.Equal(2, firsts.Count);
        }

        [Fact]
        public void NullMxIsPermanentWithoutAnyAddressLookup()
        {
            Mx("nomail.example", (0, ""));
            MailRoute route = Router().Route("nomail.example", 25);
            Assert.Equal(RouteStatus.Permanent, route.Status);
            Assert.Equal("5.1.10", route.EnhancedCode);
            Assert.Equal("domain nomail.example does not accept mail (null MX)", route.Reason);
            Assert.Single(_network.Queries);
        }

        [Fact]
        public void NoMxMeansTheDomainItselfWithIpv4First()
        {
            _zone[("plain.example", RecordType.Mx)] = q => DnsPacket.Response(q.Id, q.Name, q.Type, 0, authority: 1).SoaRecord("plain.example", 60, 60).ToArray();
            Host("plain.example", "192.0.2.9", "2001:db8::9");
            MailRoute route = Router().Route("plain.example", 25);
            Assert.Equal(RouteStatus.Deliverable, route.Status);
            Assert.Equal(1, route.Count);
            Assert.Equal("plain.example", route[0].Host);
            Assert.Equal(0, route[0].Preference);
            Assert.Equal(new[] { "192.0.2.9:25", "[2001:db8::9]:25" }, Addresses(route[0]));
        }

        [Fact]
        public void NoMxAndNoAddressIsPermanent()
        {
            _zone[("bare.example", RecordType.Mx)] = q => DnsPacket.Response(q.Id, q.Name, q.Type, 0, authority: 1).SoaRecord("bare.example", 60, 60).ToArray();
            _zone[("bare.example", RecordType.A)] = _zone[("bare.example", RecordType.Mx)];
            _zone[("bare.example", RecordType.Aaaa)] = _zone[("bare.example", RecordType.Mx)];
            MailRoute route = Router().Route("bare.example", 25);
            Assert.Equal(RouteStatus.Permanent, route.Status);
            Assert.Equal("5.4.4", route.EnhancedCode);
            Assert.Equal("bare.example has no MX and no A or AAAA records", route.Reason);
        }

        [Fact]
        public void NxdomainIsPermanent()
        {
            MailRoute route = Router().Route("nope.example", 25);
            Assert.Equal(RouteStatus.Permanent, route.Status);
            Assert.Equal("5.1.2", route.EnhancedCode);
            Assert.Equal("domain nope.example does not exist (NXDOMAIN)", route.Reason);
        }

        [Fact]
        public void MxLookupFailureIsTemporary()
        {
            _zone[("flaky.example", RecordType.Mx)] = q => DnsPacket.Response(q.Id, q.Name, q.Type, 0, rcode: 2).ToArray();
            MailRoute route = Router().Route("flaky.example", 25);
            Assert.Equal(RouteStatus.Temporary, route.Status);
            Assert.Equal("4.4.3", route.EnhancedCode);
            Assert.Equal("MX lookup for flaky.example failed: SERVFAIL from 192.0.2.53:53 for flaky.example MX", route.Reason);
        }

        [Fact]
        public void MxHostsWithoutAddressesArePermanentUnlessALookupFailed()
        {
            Mx("ghost.example", (10, "gone.ghost.example"));
            Assert.Equal("5.4.4 no MX host of ghost.example has an A or AAAA record", Describe(Router().Route("ghost.example", 25)));

            Mx("half.example", (10, "gone.half.example"), (20, "slow.half.example"));
            _zone[("slow.half.example", RecordType.A)] = q => DnsPacket.Response(q.Id, q.Name, q.Type, 0, rcode: 2).ToArray();
            MailRoute route = Router().Route("half.example", 25);
            Assert.Equal(RouteStatus.Temporary, route.Status);
            Assert.StartsWith("4.4.3 address lookup for slow.half.example failed: SERVFAIL", Describe(route));
        }

        [Fact]
        public void HostsWithoutAddressesAreLeftOutOfTheTargets()
        {
            Mx("mixed.example", (10, "gone.mixed.example"), (20, "ok.mixed.example"));
            Host("ok.mixed.example", "192.0.2.20");
            MailRoute route = Router().Route("mixed.example", 587);
            Assert.Equal(1, route.Count);
            Assert.Equal(new[] { "192.0.2.20:587" }, Addresses(route[0]));
        }

        [Fact]
        public void LongMxAnswerKeepsTheBestPreferencesWhateverTheirOrder()
        {
            var hosts = Enumerable.Range(1, 40).Reverse().Select(i => (i, "relay-" + i + "-with-a-rather-long-label.example.com")).ToArray();
            Mx("long.example.com", hosts);
            Host("relay-1-with-a-rather-long-label.example.com", "192.0.2.1");
            Host("relay-2-with-a-rather-long-label.example.com", "192.0.2.2");
            MailRoute route = Router().Route("long.example.com", 25);
            Assert.Equal(1, _network.TcpConnections);
            Assert.Equal(new[] { "relay-1-with-a-rather-long-label.example.com", "relay-2-with-a-rather-long-label.example.com" }, Enumerable.Range(0, route.Count).Select(i => route[i].Host));
        }

        [Fact]
        public void ManyAddressesKeepBothFamilies()
        {
            Mx("wide.example", (10, "many.wide.example"));
            Host("many.wide.example", Enumerable.Range(1, 10).Select(i => "192.0.2." + i).Concat(Enumerable.Range(1, 10).Select(i => "2001:db8::" + i)).ToArray());
            DeliveryTarget target = Router().Route("wide.example", 25)[0];
            Assert.Equal(DeliveryTarget.MaxAddresses, target.AddressCount);
            Assert.Equal(4, Addresses(target).Count(a => a.StartsWith('[')));
            Assert.Equal("192.0.2.1:25", Addresses(target)[0]);
        }

        [Theory]
        [InlineData("[192.0.2.7]", "192.0.2.7:25")]
        [InlineData("[IPv6:2001:db8::5]", "[2001:db8::5]:25")]
        [InlineData("[ipv6:2001:DB8::5]", "[2001:db8::5]:25")]
        public void AddressLiteralsNeedNoDns(string literal, string address)
        {
            MailRoute route = Router().Route(literal, 25);
            Assert.Equal(RouteStatus.Deliverable, route.Status);
            Assert.Equal(new[] { address }, Addresses(route[0]));
            Assert.Empty(_network.Queries);
        }

        [Theory]
        [InlineData("[2001:db8::5]")]
        [InlineData("[IPv6:192.0.2.1]")]
        [InlineData("[192.0.2.300]")]
        [InlineData("[tag:whatever]")]
        [InlineData("[192.0.2.1")]
        public void BadLiteralsArePermanent(string literal)
        {
            MailRoute route = Router().Route(literal, 25);
            Assert.Equal("5.1.2 " + literal + " is not an IPv4 or IPv6 address literal", Describe(route));
            Assert.Empty(_network.Queries);
        }

        [Fact]
        public void InvalidDomainIsPermanentWithoutAQuery()
        {
            Assert.Equal("5.1.2 \"a..b\" is not a valid domain name", Describe(Router().Route("a..b", 25)));
            Assert.Empty(_network.Queries);
        }

        [Fact]
        public void BracketedNextHopSkipsMx()
        {
            Mx("smarthost.example", (10, "elsewhere.example"));
            Host("smarthost.example", "192.0.2.25");
            MailRoute route = Router().Route(NextHop.Parse("[smarthost.example]:587")!);
            Assert.Equal(new[] { "192.0.2.25:587" }, Addresses(route[0]));
            Assert.DoesNotContain(_network.Queries, q => q.Type == RecordType.Mx);

            route = Router().Route(NextHop.Parse("[192.0.2.26]:465")!);
            Assert.Equal(new[] { "192.0.2.26:465" }, Addresses(route[0]));

            route = Router().Route(NextHop.Parse("smarthost.example")!);
            Assert.Contains(_network.Queries, q => q.Type == RecordType.Mx);
        }

        [Fact]
        public void Ipv4OnlyRoutingAsksNoAaaaAndYieldsNoIpv6Target()
        {
            // inet_protocols = ipv4 (a board): the same zone as above, but AAAA is never asked and v6-only hosts drop out.
            Mx("example.com", (10, "a.example.com"), (20, "c.example.com"), (30, "d.example.com"));
            Host("a.example.com", "192.0.2.1");
            Host("c.example.com", "192.0.2.3", "2001:db8::3");
            Host("d.example.com", "2001:db8::4");
            MailRoute route = Router(ipv6: false).Route("example.com", 25);
            Assert.Equal(RouteStatus.Deliverable, route.Status);
            Assert.Equal(new[] { "a.example.com", "c.example.com" }, Enumerable.Range(0, route.Count).Select(i => route[i].Host));
            Assert.Equal(new[] { "192.0.2.3:25" }, Addresses(route[1]));
            Assert.All(Enumerable.Range(0, route.Count), i => Assert.All(Enumerable.Range(0, route[i].AddressCount), a => Assert.False(route[i].Address(a).IsIPv6)));
            Assert.DoesNotContain(_network.Queries, q => q.Type == RecordType.Aaaa);
        }

        [Fact]
        public void Ipv4OnlyRoutingFailsIpv6OnlyDomainsLiteralsAndNextHops()
        {
            Mx("v6.example", (10, "d.example.com"));
            Host("d.example.com", "2001:db8::4");
            MailRouter router = Router(ipv6: false);
            Assert.Equal("5.4.4 no MX host of v6.example has an A record (inet_protocols = ipv4)", Describe(router.Route("v6.example", 25)));
            Assert.Equal("5.4.4 [IPv6:2001:db8::1] is an IPv6 address, and inet_protocols = ipv4 here", Describe(router.Route("[IPv6:2001:db8::1]", 25)));
            Assert.Equal("5.4.4 2001:db8::9 is an IPv6 address, and inet_protocols = ipv4 here", Describe(router.Route(NextHop.Parse("[2001:db8::9]:587")!)));
            Assert.Equal(new[] { "192.0.2.7:25" }, Addresses(router.Route("[192.0.2.7]", 25)[0]));
            Assert.DoesNotContain(_network.Queries, q => q.Type == RecordType.Aaaa);
        }

        private byte[] Answer(FakeQuery q) => _zone.TryGetValue((q.Name, q.Type), out var answer)
            ? answer(q)
            : DnsPacket.Response(q.Id, q.Name, q.Type, 0, authority: 1, rcode: 3).SoaRecord("example", 60, 60).ToArray();

        private static string Describe(MailRoute route) => route.EnhancedCode + " " + route.Reason;

        private static string[] Addresses(DeliveryTarget target) =>
            Enumerable.Range(0, target.AddressCount).Select(i => target.Address(i).ToString()).ToArray();

        private MailRouter Router(int seed = 1, bool ipv6 = true)
        {
            var transport = new DnsTransport(_network, new SeededRandom(seed), _network, new ListLog(), new[] { FakeDnsNetwork.At("192.0.2.53") }, 5000, 1, 1232, 4096);
            return new MailRouter(new DnsResolver(transport, new DnsCache(16, 4096, _network), 0, 3600), new SeededRandom(seed), ipv6);
        }

        private void Mx(string domain, params (int Preference, string Exchange)[] hosts)
        {
            _zone[(domain, RecordType.Mx)] = q =>
            {
                var packet = DnsPacket.Response(q.Id, q.Name, q.Type, hosts.Length);
                foreach (var (preference, exchange) in hosts)
                {
                    packet.MxRecord(domain, preference, exchange);
                }

                return packet.ToArray();
            };
        }

        private void Host(string name, params string[] addresses)
        {
            foreach (int type in new[] { RecordType.A, RecordType.Aaaa })
            {
                string[] family = addresses.Where(a => a.Contains(':') == (type == RecordType.Aaaa)).ToArray();
                _zone[(name, type)] = q => family.Length > 0
                    ? DnsResolverTests.Answer(q, family)
                    : DnsPacket.Response(q.Id, q.Name, q.Type, 0, authority: 1).SoaRecord(name, 60, 60).ToArray();
            }
        }
    }
}

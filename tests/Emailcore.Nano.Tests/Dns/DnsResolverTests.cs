using System.Collections.Generic;
using System.Linq;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Dns
{
    /// <summary>The transport and resolver under fault injection: spoofed and malformed replies, silence, SERVFAIL, truncation, the cache.</summary>
    public sealed class DnsResolverTests
    {
        private static readonly Endpoint Server = FakeDnsNetwork.At("192.0.2.53");
        private static readonly Endpoint Second = FakeDnsNetwork.At("192.0.2.54:5353");

        private readonly ListLog _log = new();

        [Fact]
        public void RepliesFromOtherSourcesOrForOtherQueriesAreIgnoredUntilTheRealOne()
        {
            var network = new FakeDnsNetwork(q => new[]
            {
                new FakeReply(FakeDnsNetwork.At("192.0.2.66"), Answer(q)),
                new FakeReply(FakeDnsNetwork.At("192.0.2.53:5353"), Answer(q)),
                new FakeReply(q.Server, DnsPacket.Response(q.Id ^ 1, q.Name, q.Type, 0).ToArray()),
                new FakeReply(q.Server, DnsPacket.Response(q.Id, "other.example", q.Type, 0).ToArray()),
                new FakeReply(q.Server, Answer(q)),
            });
            var set = new RecordSet();
            Assert.Equal(LookupStatus.Found, Resolver(network).Lookup(DnsMessageTests.NameOf("example.com"), RecordType.A, set));
            Assert.Single(network.Queries);
            Assert.Contains(_log.Lines, l => l.Contains("ignored a datagram from 192.0.2.66:53"));
            Assert.Contains(_log.Lines, l => l.Contains("ignored a datagram from 192.0.2.53:5353"));
            Assert.Contains(_log.Lines, l => l.Contains("does not match query ID"));
            Assert.Contains(_log.Lines, l => l.Contains("other.example A does not echo example.com A"));
        }

        [Fact]
        public void OnlyForgedRepliesEndInATimeoutAfterEveryAttempt()
        {
            var network = new FakeDnsNetwork(q => new[] { new FakeReply(FakeDnsNetwork.At("192.0.2.66"), Answer(q)) });
            var set = new RecordSet();
            Assert.Equal(LookupStatus.Failed, Resolver(network, new[] { Server, Second }).Lookup(DnsMessageTests.NameOf("example.com"), RecordType.A, set));
            Assert.Equal(4, network.Queries.Length);
            Assert.Equal("no answer from 192.0.2.54:5353 within 5s for example.com A", set.Error);
            Assert.Equal(4, network.Queries.Select(q => q.Id).Distinct().Count());
        }

        [Fact]
        public void ServfailMovesOnToTheNextServer()
        {
            var network = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, q.Server.Port == 53 ? DnsPacket.Response(q.Id, q.Name, q.Type, 0, rcode: 2).ToArray() : Answer(q)));
            var set = new RecordSet();
            Assert.Equal(LookupStatus.Found, Resolver(network, new[] { Server, Second }).Lookup(DnsMessageTests.NameOf("example.com"), RecordType.A, set));
            Assert.Equal(2, network.Queries.Length);
        }

        [Theory]
        [InlineData(2, "SERVFAIL from 192.0.2.53:53 for example.com A")]
        [InlineData(5, "REFUSED from 192.0.2.53:53 for example.com A")]
        public void FailureCodesFromEveryServerAreTemporary(int rcode, string error)
        {
            var network = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, DnsPacket.Response(q.Id, q.Name, q.Type, 0, rcode: rcode).ToArray()));
            var set = new RecordSet();
            Assert.Equal(LookupStatus.Failed, Resolver(network).Lookup(DnsMessageTests.NameOf("example.com"), RecordType.A, set));
            Assert.Equal(error, set.Error);
        }

        [Fact]
        public void MalformedAnswerFromTheServerIsAFailureWithItsReason()
        {
            var network = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, DnsPacket.Response(q.Id, q.Name, q.Type, 1).Pointer(12).U16(1).U16(1).U32(0).U16(9).ToArray()));
            var set = new RecordSet();
            Assert.Equal(LookupStatus.Failed, Resolver(network).Lookup(DnsMessageTests.NameOf("example.com"), RecordType.A, set));
            Assert.StartsWith("malformed response from 192.0.2.53:53: rdata of 9 octets", set.Error);
        }

        [Fact]
        public void FormerrToEdnsIsAskedAgainWithoutIt()
        {
            var network = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, q.Edns ? DnsPacket.Response(q.Id, q.Name, q.Type, 0, rcode: 1).ToArray() : Answer(q)));
            var set = new RecordSet();
            Assert.Equal(LookupStatus.Found, Resolver(network).Lookup(DnsMessageTests.NameOf("example.com"), RecordType.A, set));
            Assert.Equal(new[] { true, false }, network.Queries.Select(q => q.Edns));
        }

        [Fact]
        public void TruncatedAnswerIsAskedAgainOverTcpAndKeptWithinTheSetsCapacity()
        {
            var network = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, DnsPacket.Response(q.Id, q.Name, q.Type, 0, truncated: true).ToArray()))
            {
                Tcp = q => Answer(q, Enumerable.Range(1, 100).Select(i => "192.0.2." + i).ToArray()),
            };
            var set = new RecordSet();
            Assert.Equal(LookupStatus.Found, Resolver(network).Lookup(DnsMessageTests.NameOf("example.com"), RecordType.A, set));
            Assert.Equal(1, network.TcpConnections);
            Assert.Equal(RecordSet.MaxRecords, set.Count);
            var address = new Endpoint();
            set.CopyAddress(31, address);
            Assert.Equal("192.0.2.32", address.AddressText());
        }

        [Fact]
        public void TcpRefusedOrCutShortIsAFailureWithItsReason()
        {
            var network = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, DnsPacket.Response(q.Id, q.Name, q.Type, 0, truncated: true).ToArray()));
            var set = new RecordSet();
            Assert.Equal(LookupStatus.Failed, Resolver(network).Lookup(DnsMessageTests.NameOf("example.com"), RecordType.A, set));
            Assert.Equal("192.0.2.53:53: connect to 192.0.2.53:53 refused", set.Error);
            Assert.Equal(2, network.TcpConnections);

            var cut = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, DnsPacket.Response(q.Id, q.Name, q.Type, 0, truncated: true).ToArray()))
            {
                Tcp = q => Answer(q),
                TcpCut = 3,
            };
            Assert.Equal(LookupStatus.Failed, Resolver(cut).Lookup(DnsMessageTests.NameOf("example.com"), RecordType.A, set));
            Assert.Equal("TCP connection to 192.0.2.53:53 closed mid-response", set.Error);
        }

        [Fact]
        public void TcpAnswerLargerThanTheBufferIsRefused()
        {
            var network = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, DnsPacket.Response(q.Id, q.Name, q.Type, 0, truncated: true).ToArray()))
            {
                Tcp = q => Answer(q, Enumerable.Range(1, 100).Select(i => "192.0.2." + i).ToArray()),
            };
            var set = new RecordSet();
            var resolver = new DnsResolver(new DnsTransport(network, new SeededRandom(1), network, _log, new[] { Server }, 5000, 1, 1232, 1232), new DnsCache(0, 0, network), 0, 86400);
            Assert.Equal(LookupStatus.Failed, resolver.Lookup(DnsMessageTests.NameOf("example.com"), RecordType.A, set));
            Assert.Equal("TCP response of 1629 octets from 192.0.2.53:53 exceeds dns_message_size_limit", set.Error);
        }

        [Fact]
        public void CnameChainIsFollowedInWhateverOrderTheRecordsCome()
        {
            var network = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, DnsPacket.Response(q.Id, q.Name, q.Type, 3)
                .ARecord("c.example", "192.0.2.7", 30).CnameRecord("b.example", "c.example", 600).CnameRecord("www.example", "b.example", 20).ToArray()));
            var set = new RecordSet();
            Assert.Equal(LookupStatus.Found, Resolver(network).Lookup(DnsMessageTests.NameOf("www.example"), RecordType.A, set));
            Assert.Equal(1, set.Count);
            Assert.Equal(20, set.Ttl);
        }

        [Fact]
        public void CnameChainWithoutDataAsksForTheTargetItself()
        {
            var network = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, q.Name == "www.example"
                ? DnsPacket.Response(q.Id, q.Name, q.Type, 1).CnameRecord("www.example", "host.elsewhere").ToArray()
                : Answer(q)));
            var set = new RecordSet();
            Assert.Equal(LookupStatus.Found, Resolver(network).Lookup(DnsMessageTests.NameOf("www.example"), RecordType.A, set));
            Assert.Equal(new[] { "www.example", "host.elsewhere" }, network.Queries.Select(q => q.Name));
        }

        [Fact]
        public void CnameLoopEndsAtTheChainLimit()
        {
            var network = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, DnsPacket.Response(q.Id, q.Name, q.Type, 2)
                .CnameRecord("a.example", "b.example").CnameRecord("b.example", "a.example").ToArray()));
            var set = new RecordSet();
            Assert.Equal(LookupStatus.Failed, Resolver(network).Lookup(DnsMessageTests.NameOf("a.example"), RecordType.A, set));
            Assert.Equal("CNAME chain from a.example is longer than 8", set.Error);
            Assert.Single(network.Queries);
        }

        [Fact]
        public void AnswersAreCachedForTheirTtlWithinTheFloorAndCeiling()
        {
            uint ttl = 2;
            var network = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, DnsPacket.Response(q.Id, q.Name, q.Type, 1).ARecord(q.Name, "192.0.2.1", ttl).ToArray()));
            DnsResolver resolver = Resolver(network);
            var set = new RecordSet();
            DnsName name = DnsMessageTests.NameOf("example.com");
            resolver.Lookup(name, RecordType.A, set);
            Assert.Equal(10, set.Ttl);
            network.Advance(9000);
            Assert.Equal(LookupStatus.Found, resolver.Lookup(name, RecordType.A, set));
            Assert.Single(network.Queries);
            Assert.Equal(1, set.Ttl);
            network.Advance(1000);
            resolver.Lookup(name, RecordType.A, set);
            Assert.Equal(2, network.Queries.Length);

            ttl = 10_000_000;
            resolver.Lookup(DnsMessageTests.NameOf("big.example"), RecordType.A, set);
            Assert.Equal(86400, set.Ttl);
        }

        [Fact]
        public void NxdomainIsCachedForTheSoaMinimum()
        {
            var network = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, DnsPacket.Response(q.Id, q.Name, q.Type, 0, authority: 1, rcode: 3).SoaRecord("example.com", 3600, 60).ToArray()));
            DnsResolver resolver = Resolver(network);
            var set = new RecordSet();
            DnsName name = DnsMessageTests.NameOf("nope.example.com");
            Assert.Equal(LookupStatus.NameError, resolver.Lookup(name, RecordType.Mx, set));
            Assert.Equal(60, set.Ttl);
            Assert.Equal("NXDOMAIN for nope.example.com", set.Error);
            network.Advance(59_000);
            Assert.Equal(LookupStatus.NameError, resolver.Lookup(name, RecordType.Mx, set));
            Assert.Single(network.Queries);
            network.Advance(1_000);
            resolver.Lookup(name, RecordType.Mx, set);
            Assert.Equal(2, network.Queries.Length);
        }

        [Fact]
        public void NegativeAnswersWithoutSoaAreNotCachedAndSoaTtlCapsTheMinimum()
        {
            int soa = 0;
            var network = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, soa == 0
                ? DnsPacket.Response(q.Id, q.Name, q.Type, 0).ToArray()
                : DnsPacket.Response(q.Id, q.Name, q.Type, 0, authority: 1).SoaRecord("example.com", 30, 900).ToArray()));
            DnsResolver resolver = Resolver(network);
            var set = new RecordSet();
            DnsName name = DnsMessageTests.NameOf("example.com");
            Assert.Equal(LookupStatus.NoData, resolver.Lookup(name, RecordType.Mx, set));
            resolver.Lookup(name, RecordType.Mx, set);
            Assert.Equal(2, network.Queries.Length);
            soa = 1;
            resolver.Lookup(name, RecordType.Mx, set);
            Assert.Equal(30, set.Ttl);
        }

        [Fact]
        public void CacheNeverGrowsPastItsSlotsAndSkipsWhatDoesNotFit()
        {
            var network = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, Answer(q)));
            var cache = new DnsCache(2, 64, network);
            Assert.Equal(32 + 24, cache.BytesPerEntry);
            var resolver = new DnsResolver(new DnsTransport(network, new SeededRandom(1), network, _log, new[] { Server }, 5000, 1, 1232, 1232), cache, 60, 3600);
            var set = new RecordSet();
            foreach (string name in new[] { "a.example", "b.example", "c.example", "a.example", "c.example" })
            {
                resolver.Lookup(DnsMessageTests.NameOf(name), RecordType.A, set);
                network.Advance(1000);
            }

            // a and b fill both slots, c evicts a (earliest expiry), a comes back in place of b, and c is still there.
            Assert.Equal(new[] { "a.example", "b.example", "c.example", "a.example" }, network.Queries.Select(q => q.Name));

            // A name longer than a 32-octet slot is answered but never kept.
            string longName = new string('x', 40) + ".example";
            resolver.Lookup(DnsMessageTests.NameOf(longName), RecordType.A, set);
            resolver.Lookup(DnsMessageTests.NameOf(longName), RecordType.A, set);
            Assert.Equal(2, network.Queries.Count(q => q.Name == longName));
        }

        [Fact]
        public void NoServersIsAClearFailure()
        {
            var network = new FakeDnsNetwork(q => FakeDnsNetwork.From(q, Answer(q)));
            var set = new RecordSet();
            Assert.Equal(LookupStatus.Failed, Resolver(network, new Endpoint[0]).Lookup(DnsMessageTests.NameOf("example.com"), RecordType.A, set));
            Assert.Equal("no DNS servers: set dns_servers", set.Error);
        }

        internal static byte[] Answer(FakeQuery q, params string[] addresses)
        {
            if (addresses.Length == 0)
            {
                addresses = new[] { q.Type == RecordType.Aaaa ? "2001:db8::1" : "192.0.2.1" };
            }

            var packet = DnsPacket.Response(q.Id, q.Name, q.Type, addresses.Length);
            foreach (string address in addresses)
            {
                packet.Pointer(12).RecordTail(q.Type, 300, r => r.Raw(System.Net.IPAddress.Parse(address).GetAddressBytes()));
            }

            return packet.ToArray();
        }

        private DnsResolver Resolver(FakeDnsNetwork network, Endpoint[]? servers = null)
        {
            var transport = new DnsTransport(network, new SeededRandom(1), network, _log, servers ?? new[] { Server }, 5000, 2, 1232, 65535);
            return new DnsResolver(transport, new DnsCache(16, 4096, network), 10, 86400);
        }
    }
}

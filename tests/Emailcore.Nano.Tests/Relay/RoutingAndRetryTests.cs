using Emailcore.Nano.Config;
using Emailcore.Nano.Relay;
using Xunit;

namespace Emailcore.Nano.Tests.Relay
{
    public sealed class RoutingAndRetryTests
    {
        private static Router Router(string relayhost = "", string transports = "", params string[] listen) =>
            new(new[] { "localhost", "lan.example" }, relayhost.Length == 0 ? null : NextHop.Parse(relayhost),
                transports.Length == 0 ? DomainMap.Empty : DomainMap.ParseInline(transports, "main.cf", 1), "transport_maps",
                new OwnListeners(ListenSpec.ParseAll(listen)));

        [Theory]
        [InlineData("alice@localhost", "local")]
        [InlineData("Bob@LAN.example", "local")]
        [InlineData("postmaster", "local")]
        [InlineData("user@example.com", "example.com")]
        [InlineData("user@[192.0.2.7]", "[192.0.2.7]")]
        [InlineData("user@[IPv6:2001:db8::7]", "[2001:db8::7]")]
        [InlineData("\"odd@name\"@example.org", "example.org")]
        public void DefaultRoutes(string recipient, string key)
        {
            Assert.Equal(key, Router().Resolve(recipient).Key);
        }

        [Theory]
        [InlineData("victim@[127.0.0.1]", "127.0.0.1:2525")]
        [InlineData("victim@[192.0.2.5]", "127.0.0.1:2525 192.0.2.5:25")]
        [InlineData("victim@[127.0.0.2]", "0.0.0.0:25")]
        [InlineData("victim@[IPv6:::1]", "[::]:25")]
        public void TheLiteralOfAnAddressWeListenOnIsLocal(string recipient, string listen)
        {
            Route route = Router("[smtp.example.net]:587", "", listen.Split(' ')).Resolve(recipient);
            Assert.True(route.IsLocal, route.Key);
            Assert.Equal("victim", route.LocalPart);
        }

        [Theory]
        [InlineData("victim@[192.0.2.7]", "127.0.0.1:2525", "[192.0.2.7]")]
        [InlineData("victim@[192.0.2.7]", "0.0.0.0:25", "[192.0.2.7]")]
        public void OtherLiteralsStayNextHops(string recipient, string listen, string key)
        {
            Assert.Equal(key, Router("", "", listen).Resolve(recipient).Key);
        }

        [Fact]
        public void RelayhostTakesEverythingNotLocalAndTransportsOverrideAll()
        {
            Router router = Router("[smtp.example.net]:587", "special.example [mx.special.example]:2525, lan.example [mailhub.lan.example], .corp.example local");
            Assert.Equal("[smtp.example.net]:587", router.Resolve("user@example.com").Key);
            Assert.Equal("[mx.special.example]:2525", router.Resolve("x@special.example").Key);
            Assert.Equal("[mailhub.lan.example]", router.Resolve("x@lan.example").Key);
            Route local = router.Resolve("x@a.corp.example");
            Assert.True(local.IsLocal);
            Assert.Equal("x", local.LocalPart);
            Assert.True(router.Resolve("alice@localhost").IsLocal);
            Assert.True(router.Resolve("user@example.com").Hop.SkipMx);
        }

        [Fact]
        public void BadTransportIsAConfigError()
        {
            var e = Assert.Throws<ConfigException>(() => Router(transports: "example.com smtp:[x]"));
            Assert.Contains("neither local nor a next hop", e.Message);
        }

        [Fact]
        public void BackoffGrowsWithAgeWithinBoundsAndExpires()
        {
            var backoff = new Backoff(1800, 14400, 5 * 86400, 2 * 86400);
            long arrival = 1_000_000;
            Assert.Equal(arrival + 10 + 1800, backoff.NextAttempt(arrival, arrival + 10));
            Assert.Equal(arrival + 7200 + 7200, backoff.NextAttempt(arrival, arrival + 7200));
            Assert.Equal(arrival + 86400 + 14400, backoff.NextAttempt(arrival, arrival + 86400));
            Assert.False(backoff.Expired(arrival, arrival + 4 * 86400, isBounce: false));
            Assert.True(backoff.Expired(arrival, arrival + 5 * 86400, isBounce: false));
            Assert.True(backoff.Expired(arrival, arrival + 2 * 86400, isBounce: true));
        }
    }
}

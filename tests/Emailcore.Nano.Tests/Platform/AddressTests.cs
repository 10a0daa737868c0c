using System.Net;
using Emailcore.Nano.Platform;
using Xunit;

namespace Emailcore.Nano.Tests.Platform
{
    public sealed class AddressTests
    {
        [Theory]
        [InlineData("192.0.2.1", "192.0.2.1")]
        [InlineData("0.0.0.0", "0.0.0.0")]
        [InlineData("2001:db8::1", "2001:db8::1")]
        [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
        [InlineData("::", "::")]
        [InlineData("::1", "::1")]
        [InlineData("fe80::", "fe80::")]
        [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")]
        [InlineData("2001:0:0:1:0:0:0:1", "2001:0:0:1::1")]
        [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6")]
        [InlineData("::ffff:192.0.2.1", "::ffff:c000:201")]
        public void ParsesAndFormatsLikeRfc5952(string text, string canonical)
        {
            var endpoint = new Endpoint();
            Assert.True(Endpoint.TryParseAddress(text, endpoint));
            Assert.Equal(canonical, endpoint.AddressText());
            // Agrees with .NET's own parser byte for byte.
            byte[] expected = IPAddress.Parse(text).GetAddressBytes();
            byte[] actual = new byte[endpoint.AddressLength];
            endpoint.CopyAddressTo(actual, 0);
            Assert.Equal(expected, actual);
        }

        [Theory]
        [InlineData("")]
        [InlineData("256.0.0.1")]
        [InlineData("1.2.3")]
        [InlineData("1.2.3.4.5")]
        [InlineData("01.2.3.4")]
        [InlineData("1.2.3.4 ")]
        [InlineData("2001:db8::1::2")]
        [InlineData("2001:db8:1:2:3:4:5:6:7")]
        [InlineData("2001:db8:")]
        [InlineData(":1")]
        [InlineData("12345::")]
        [InlineData("g::1")]
        [InlineData("::1.2.3.4.5")]
        public void RejectsWhatIsNotAnAddress(string text)
        {
            Assert.False(Endpoint.TryParseAddress(text, new Endpoint()));
        }

        [Theory]
        [InlineData("127.0.0.1:2525", "127.0.0.1:2525")]
        [InlineData("[::1]:53", "[::1]:53")]
        [InlineData("192.0.2.53", "192.0.2.53:53")]
        [InlineData("[2001:db8::53]", "[2001:db8::53]:53")]
        public void EndpointsWithPorts(string text, string formatted)
        {
            var endpoint = new Endpoint();
            Assert.True(Endpoint.TryParse(text, 53, endpoint));
            Assert.Equal(formatted, endpoint.ToString());
        }

        [Theory]
        [InlineData("192.168.1.0/24", "192.168.1.77", true)]
        [InlineData("192.168.1.0/24", "192.168.2.1", false)]
        [InlineData("10.0.0.0/8", "10.255.255.255", true)]
        [InlineData("0.0.0.0/0", "203.0.113.9", true)]
        [InlineData("192.0.2.5", "192.0.2.5", true)]
        [InlineData("192.0.2.5", "192.0.2.6", false)]
        [InlineData("[2001:db8::]/32", "2001:db8:ffff::1", true)]
        [InlineData("[2001:db8::]/32", "2001:db9::1", false)]
        [InlineData("[::1]/128", "::1", true)]
        [InlineData("127.0.0.0/8", "::1", false)]
        [InlineData("172.16.0.0/12", "172.31.0.1", true)]
        [InlineData("172.16.0.0/12", "172.32.0.1", false)]
        public void NetworksContainTheirAddresses(string network, string address, bool inside)
        {
            AddressRange range = AddressRange.Parse(network)!;
            var endpoint = new Endpoint();
            Assert.True(Endpoint.TryParseAddress(address, endpoint));
            Assert.Equal(inside, range.Contains(endpoint));
        }
    }
}

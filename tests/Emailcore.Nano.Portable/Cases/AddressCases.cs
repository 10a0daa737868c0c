#nullable disable
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Tests.Portable
{
    /// <summary>RFC 4291 §2.2 / RFC 5952 address text, endpoints with ports, and mynetworks ranges.</summary>
    public static class AddressCases
    {
        public static void Register(TestList t)
        {
            string[] canonical =
            {
                "192.0.2.1", "192.0.2.1", "0.0.0.0", "0.0.0.0", "2001:db8::1", "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "2001:db8::1",
                "::", "::", "::1", "::1", "fe80::", "fe80::", "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1",
                "2001:0:0:1:0:0:0:1", "2001:0:0:1::1", "2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6", "::ffff:192.0.2.1", "::ffff:c000:201",
            };
            for (int i = 0; i < canonical.Length; i += 2)
            {
                string text = canonical[i];
                string expected = canonical[i + 1];
                t.Add("Address.RFC 5952 form of " + text, delegate
                {
                    var endpoint = new Endpoint();
                    Check.True(Endpoint.TryParseAddress(text, endpoint), text + " parses");
                    Check.Equal(expected, endpoint.AddressText());
                });
            }

            string[] invalid = { "", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4 ", "2001:db8::1::2", "2001:db8:1:2:3:4:5:6:7", "2001:db8:", ":1", "12345::", "g::1", "::1.2.3.4.5" };
            for (int i = 0; i < invalid.Length; i++)
            {
                string text = invalid[i];
                t.Add("Address.rejects \"" + text + "\"", delegate { Check.False(Endpoint.TryParseAddress(text, new Endpoint()), text + " is not an address"); });
            }

            string[] ports = { "127.0.0.1:2525", "127.0.0.1:2525", "[::1]:53", "[::1]:53", "192.0.2.53", "192.0.2.53:53", "[2001:db8::53]", "[2001:db8::53]:53" };
            for (int i = 0; i < ports.Length; i += 2)
            {
                string text = ports[i];
                string formatted = ports[i + 1];
                t.Add("Address.endpoint " + text, delegate
                {
                    var endpoint = new Endpoint();
                    Check.True(Endpoint.TryParse(text, 53, endpoint), text + " parses");
                    Check.Equal(formatted, endpoint.ToString());
                });
            }

            string[] ranges =
            {
                "192.168.1.0/24", "192.168.1.77", "in", "192.168.1.0/24", "192.168.2.1", "out", "10.0.0.0/8", "10.255.255.255", "in",
                "0.0.0.0/0", "203.0.113.9", "in", "192.0.2.5", "192.0.2.5", "in", "192.0.2.5", "192.0.2.6", "out",
                "[2001:db8::]/32", "2001:db8:ffff::1", "in", "[2001:db8::]/32", "2001:db9::1", "out", "[::1]/128", "::1", "in",
                "127.0.0.0/8", "::1", "out", "172.16.0.0/12", "172.31.0.1", "in", "172.16.0.0/12", "172.32.0.1", "out",
            };
            for (int i = 0; i < ranges.Length; i += 3)
            {
                string network = ranges[i];
                string address = ranges[i + 1];
                bool inside = ranges[i + 2] == "in";
                t.Add("Address.mynetworks " + network + " " + ranges[i + 2] + " " + address, delegate
                {
                    AddressRange range = AddressRange.Parse(network);
                    var endpoint = new Endpoint();
                    Check.True(Endpoint.TryParseAddress(address, endpoint), address + " parses");
                    Check.True(range.Contains(endpoint) == inside, address + (inside ? " is in " : " is not in ") + network);
                });
            }
        }
    }
}

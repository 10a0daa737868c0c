using Emailcore.Nano.Text;

namespace Emailcore.Nano.Platform
{
    /// <summary>A network in CIDR form, as in mynetworks: "192.168.1.0/24", "[2001:db8::]/32", or one address.</summary>
    public sealed class AddressRange
    {
        private readonly Endpoint _network = new Endpoint();

        public int PrefixLength { get; private set; }

        /// <summary>Parses "a.b.c.d[/n]" or "[v6][/n]"; a bare IPv6 address without brackets is accepted too.</summary>
        public static AddressRange Parse(string text)
        {
            var range = new AddressRange();
            string address = text;
            int prefix = -1;
            int slash = text.LastIndexOf('/');
            if (slash >= 0)
            {
                if (!Ascii.TryParseDecimal(text.Substring(slash + 1), 128, out prefix))
                {
                    return null;
                }

                address = text.Substring(0, slash);
            }

            if (address.Length > 1 && address[0] == '[' && address[address.Length - 1] == ']')
            {
                address = address.Substring(1, address.Length - 2);
            }

            if (!Endpoint.TryParseAddress(address, range._network))
            {
                return null;
            }

            int bits = range._network.AddressLength * 8;
            if (prefix < 0)
            {
                prefix = bits;
            }

            if (prefix > bits)
            {
                return null;
            }

            range.PrefixLength = prefix;
            return range;
        }

        public bool Contains(Endpoint address)
        {
            if (address.AddressLength != _network.AddressLength)
            {
                return false;
            }

            int bits = PrefixLength;
            for (int i = 0; bits > 0; i++, bits -= 8)
            {
                int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
                if ((address.AddressByte(i) & mask) != (_network.AddressByte(i) & mask))
                {
                    return false;
                }
            }

            return true;
        }

        public override string ToString()
        {
            string a = _network.AddressText();
            return (_network.IsIPv6 ? "[" + a + "]" : a) + "/" + PrefixLength.ToString();
        }
    }
}

using Emailcore.Nano.Text;

namespace Emailcore.Nano.Platform
{
    /// <summary>
    /// An IP address (4 or 16 bytes) and a port, mutable so that a receive loop can refill one instance
    /// instead of allocating per datagram.
    /// </summary>
    public sealed class Endpoint
    {
        private readonly byte[] _address = new byte[16];

        public int AddressLength { get; private set; }

        public int Port { get; set; }

        public bool IsIPv6
        {
            get { return AddressLength == 16; }
        }

        public byte AddressByte(int index)
        {
            return _address[index];
        }

        public void CopyAddressTo(byte[] destination, int offset)
        {
            System.Array.Copy(_address, 0, destination, offset, AddressLength);
        }

        public void SetAddress(byte[] source, int offset, int length)
        {
            if (length != 4 && length != 16)
            {
                throw new System.ArgumentException("an address has 4 or 16 bytes");
            }

            System.Array.Copy(source, offset, _address, 0, length);
            AddressLength = length;
        }

        public void CopyFrom(Endpoint other)
        {
            SetAddress(other._address, 0, other.AddressLength);
            Port = other.Port;
        }

        public bool SameAddress(Endpoint other)
        {
            if (other.AddressLength != AddressLength)
            {
                return false;
            }

            for (int i = 0; i < AddressLength; i++)
            {
                if (_address[i] != other._address[i])
                {
                    return false;
                }
            }

            return true;
        }

        public bool IsLoopback
        {
            get
            {
                if (AddressLength == 4)
                {
                    return _address[0] == 127;
                }

                for (int i = 0; i < 15; i++)
                {
                    if (_address[i] != 0)
                    {
                        return false;
                    }
                }

                return _address[15] == 1;
            }
        }

        /// <summary>Parses "192.0.2.1" or "2001:db8::1" (no brackets, no port).</summary>
        public static bool TryParseAddress(string text, Endpoint into)
        {
            byte[] ascii = Ascii.GetBytes(text);
            return IPAddressText.TryParse(ascii, 0, ascii.Length, into);
        }

        /// <summary>
        /// Parses "ip", "ip:port", "[ipv6]:port" or "[ipv6]"; the port is <paramref name="defaultPort"/> when absent.
        /// </summary>
        public static bool TryParse(string text, int defaultPort, Endpoint into)
        {
            if (text == null || text.Length == 0)
            {
                return false;
            }

            string host = text;
            int port = defaultPort;
            if (text[0] == '[')
            {
                int close = text.IndexOf(']');
                if (close < 0)
                {
                    return false;
                }

                host = text.Substring(1, close - 1);
                if (close + 1 < text.Length)
                {
                    if (text[close + 1] != ':' || !Ascii.TryParseDecimal(text.Substring(close + 2), 65535, out port))
                    {
                        return false;
                    }
                }
            }
            else
            {
                int colon = text.IndexOf(':');
                if (colon >= 0 && colon == text.LastIndexOf(':'))
                {
                    host = text.Substring(0, colon);
                    if (!Ascii.TryParseDecimal(text.Substring(colon + 1), 65535, out port))
                    {
                        return false;
                    }
                }
            }

            if (!TryParseAddress(host, into))
            {
                return false;
            }

            into.Port = port;
            return true;
        }

        /// <summary>The address alone: "192.0.2.1" or "2001:db8::1" (RFC 5952 form).</summary>
        public string AddressText()
        {
            byte[] buffer = new byte[IPAddressText.MaxLength];
            int n = IPAddressText.Format(this, buffer, 0);
            return Ascii.GetString(buffer, 0, n);
        }

        /// <summary>"192.0.2.1:25" or "[2001:db8::1]:25".</summary>
        public override string ToString()
        {
            string a = AddressText();
            return IsIPv6 ? "[" + a + "]:" + Port.ToString() : a + ":" + Port.ToString();
        }
    }
}

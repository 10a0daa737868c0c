using Emailcore.Nano.Text;

namespace Emailcore.Nano.Config
{
    /// <summary>
    /// A next hop as relayhost and transport_maps write it: "host", "host:port", "[host]" or "[host]:port".
    /// Brackets turn off the MX lookup (Postfix semantics); an IP address needs brackets, "[192.0.2.1]:587".
    /// </summary>
    public sealed class NextHop
    {
        public const int SmtpPort = 25;

        private NextHop(string host, int port, bool skipMx)
        {
            Host = host;
            Port = port;
            SkipMx = skipMx;
        }

        public string Host { get; }

        public int Port { get; }

        public bool SkipMx { get; }

        /// <summary>Returns null when the text is not a next hop.</summary>
        public static NextHop Parse(string text)
        {
            if (text == null || text.Length == 0)
            {
                return null;
            }

            string host;
            string rest;
            bool skipMx = text[0] == '[';
            if (skipMx)
            {
                int close = text.IndexOf(']');
                if (close < 2)
                {
                    return null;
                }

                host = text.Substring(1, close - 1);
                rest = text.Substring(close + 1);
                var scratch = new Platform.Endpoint();
                if (!DomainName.IsValid(host) && !Platform.Endpoint.TryParseAddress(host, scratch))
                {
                    return null;
                }
            }
            else
            {
                int colon = text.IndexOf(':');
                host = colon < 0 ? text : text.Substring(0, colon);
                rest = colon < 0 ? string.Empty : text.Substring(colon);
                if (!DomainName.IsValid(host))
                {
                    return null;
                }
            }

            int port = SmtpPort;
            if (rest.Length > 0)
            {
                if (rest[0] != ':' || !Ascii.TryParseDecimal(rest.Substring(1), 65535, out port) || port == 0)
                {
                    return null;
                }
            }

            return new NextHop(host, port, skipMx);
        }

        public override string ToString()
        {
            string h = SkipMx ? "[" + Host + "]" : Host;
            return Port == SmtpPort ? h : h + ":" + Port.ToString();
        }
    }
}

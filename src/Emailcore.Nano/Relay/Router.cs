using Emailcore.Nano.Config;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Relay
{
    /// <summary>
    /// Picks each recipient's route, in Postfix's order: transport_maps, then mydestination (local delivery),
    /// then relayhost, then the recipient domain's MX records (RFC 5321 §5.1). An address literal is routed to its
    /// address, unless it is one of ours (<see cref="OwnListeners"/>): then it is delivered locally, like mydestination.
    /// </summary>
    public sealed class Router
    {
        private const string LocalTransport = "local";

        private readonly string[] _mydestination;
        private readonly NextHop _relayhost;
        private readonly DomainMap _transports;
        private readonly OwnListeners _own;

        /// <summary>Throws <see cref="ConfigException"/> when a transport_maps entry is neither "local" nor a next hop.</summary>
        public Router(string[] mydestination, NextHop relayhost, DomainMap transports, string transportsName, OwnListeners own)
        {
            _own = own;
            _mydestination = mydestination;
            _relayhost = relayhost;
            _transports = transports;
            for (int i = 0; i < transports.Count; i++)
            {
                string value = transports.ValueAt(i);
                if (value != LocalTransport && NextHop.Parse(value) == null)
                {
                    throw new ConfigException(transportsName, 0, "transport for \"" + transports.KeyAt(i) + "\" is neither local nor a next hop: \"" + value + "\"");
                }
            }
        }

        public Route Resolve(string recipient)
        {
            string domain = DomainOf(recipient);
            string localPart = LocalPartOf(recipient);

            // RFC 5321 §4.1.1.3: "postmaster" without a domain is ours.
            if (domain.Length == 0)
            {
                return Route.Local(localPart);
            }

            if (domain[0] == '[')
            {
                // An address literal needs no DNS: the bracketed address is the next hop.
                string literal = domain.Substring(1, domain.Length - 2);
                if (literal.Length > 5 && Ascii.EqualsIgnoreCase(literal.Substring(0, 5), "IPv6:"))
                {
                    literal = literal.Substring(5);
                }

                // RFC 5321 §5.1: the literal of an interface we listen on is ours; relaying it over SMTP would send it to ourselves.
                var address = new Endpoint();
                if (Endpoint.TryParseAddress(literal, address) && _own.IsOurAddress(address))
                {
                    return Route.Local(localPart);
                }

                return Route.Smtp(NextHop.Parse("[" + literal + "]"));
            }

            string transport = _transports.Lookup(domain);
            if (transport != null)
            {
                return transport == LocalTransport ? Route.Local(localPart) : Route.Smtp(NextHop.Parse(transport));
            }

            if (IsLocalDomain(domain))
            {
                return Route.Local(localPart);
            }

            return Route.Smtp(_relayhost ?? NextHop.Parse(domain));
        }

        public bool IsLocalDomain(string domain)
        {
            for (int i = 0; i < _mydestination.Length; i++)
            {
                if (Ascii.EqualsIgnoreCase(_mydestination[i], domain))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The domain after the last '@' outside quotes; empty when there is none.</summary>
        public static string DomainOf(string address)
        {
            int at = AtSign(address);
            return at < 0 ? string.Empty : address.Substring(at + 1);
        }

        public static string LocalPartOf(string address)
        {
            int at = AtSign(address);
            return at < 0 ? address : address.Substring(0, at);
        }

        private static int AtSign(string address)
        {
            bool quoted = false;
            int at = -1;
            for (int i = 0; i < address.Length; i++)
            {
                char c = address[i];
                if (c == '\\' && quoted)
                {
                    i++;
                }
                else if (c == '"')
                {
                    quoted = !quoted;
                }
                else if (c == '@' && !quoted)
                {
                    at = i;
                }
            }

            return at;
        }
    }
}

using Emailcore.Nano.Config;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Dns
{
    /// <summary>
    /// RFC 5321 §5.1: turns a recipient domain or a next hop into the hosts to try. MX hosts in preference
    /// order with equal preferences shuffled; no MX means the domain itself; RFC 7505 null MX, NXDOMAIN and
    /// hosts without addresses are permanent; timeouts and SERVFAIL are temporary. Each host's IPv4
    /// addresses come before its IPv6 ones: a board on a LAN often has no IPv6 route, and every failed
    /// connect costs smtp_connect_timeout. Under inet_protocols = ipv4 no AAAA question is asked and no
    /// IPv6 target is ever yielded.
    /// </summary>
    public sealed class MailRouter
    {
        private readonly DnsResolver _resolver;
        private readonly IRandom _random;
        private readonly MailRoute _route = new MailRoute();
        private readonly RecordSet _mx = new RecordSet();
        private readonly RecordSet _a = new RecordSet();
        private readonly RecordSet _aaaa = new RecordSet();
        private readonly DnsName _domain = new DnsName();
        private readonly DnsName _host = new DnsName();
        private readonly int[] _order = new int[RecordSet.MaxRecords];
        private readonly bool _ipv6;
        private readonly string _addressRecords;
        private string _temporary;

        /// <param name="ipv6">False under inet_protocols = ipv4 (<see cref="InetProtocols.Ipv6"/>).</param>
        public MailRouter(DnsResolver resolver, IRandom random, bool ipv6)
        {
            _resolver = resolver;
            _random = random;
            _ipv6 = ipv6;
            _addressRecords = ipv6 ? "A or AAAA records" : "A records (inet_protocols = ipv4)";
        }

        /// <summary>
        /// Routes mail for <paramref name="domain"/> (a name, or an address literal "[192.0.2.1]",
        /// "[IPv6:2001:db8::1]" that needs no DNS) to port <paramref name="port"/>. The result is reused by the next call.
        /// </summary>
        public MailRoute Route(string domain, int port)
        {
            _route.Reset();
            _temporary = null;
            if (domain.Length > 0 && domain[0] == '[')
            {
                return RouteLiteral(domain, port);
            }

            if (!SetName(_domain, domain))
            {
                return _route.Fail(RouteStatus.Permanent, "5.1.2", "\"" + domain + "\" is not a valid domain name");
            }

            switch (_resolver.Lookup(_domain, RecordType.Mx, _mx))
            {
                case LookupStatus.Failed:
                    return _route.Fail(RouteStatus.Temporary, "4.4.3", "MX lookup for " + domain + " failed: " + _mx.Error);
                case LookupStatus.NameError:
                    return _route.Fail(RouteStatus.Permanent, "5.1.2", "domain " + domain + " does not exist (NXDOMAIN)");
                case LookupStatus.NoData:
                    // RFC 5321 §5.1: no MX, so the domain is its own implicit MX with preference 0.
                    AddHost(_domain, 0, port);
                    return Finish(domain + " has no MX and no " + _addressRecords);
            }

            // RFC 7505 §3: a single MX of preference 0 pointing at the root says the domain takes no mail.
            _mx.CopyExchange(0, _host);
            if (_mx.Count == 1 && _host.IsRoot && _mx.Preference(0) == 0)
            {
                return _route.Fail(RouteStatus.Permanent, "5.1.10", "domain " + domain + " does not accept mail (null MX)");
            }

            SortByPreference();
            for (int i = 0; i < _mx.Count && _route.Count < MailRoute.MaxTargets; i++)
            {
                _mx.CopyExchange(_order[i], _host);
                if (!_host.IsRoot)
                {
                    AddHost(_host, _mx.Preference(_order[i]), port);
                }
            }

            return Finish("no MX host of " + domain + " has an " + (_ipv6 ? "A or AAAA record" : "A record (inet_protocols = ipv4)"));
        }

        /// <summary>Routes to a relayhost or transport_maps next hop; "[host]" skips the MX lookup (Postfix semantics).</summary>
        public MailRoute Route(NextHop hop)
        {
            if (!hop.SkipMx)
            {
                return Route(hop.Host, hop.Port);
            }

            _route.Reset();
            _temporary = null;
            DeliveryTarget target = _route.Add();
            target.Host = hop.Host;
            if (Endpoint.TryParseAddress(hop.Host, target.Address(0)))
            {
                if (!Usable(target.Address(0)))
                {
                    return NoIpv6(hop.Host);
                }

                target.Address(0).Port = hop.Port;
                target.AddressCount = 1;
                return _route;
            }

            _route.DropLast();
            if (!SetName(_host, hop.Host))
            {
                return _route.Fail(RouteStatus.Permanent, "5.1.2", "\"" + hop.Host + "\" is not a valid host name");
            }

            AddHost(_host, 0, hop.Port);
            return Finish(hop.Host + " has no " + _addressRecords);
        }

        // RFC 5321 §4.1.3: "[192.0.2.1]" or "[IPv6:2001:db8::1]"; other tags are not routable here.
        private MailRoute RouteLiteral(string literal, int port)
        {
            DeliveryTarget target = _route.Add();
            target.Host = literal;
            Endpoint address = target.Address(0);
            bool v6 = literal.Length > 6 && Text.Ascii.EqualsIgnoreCase(literal.Substring(1, 5), "IPv6:");
            string inner = literal[literal.Length - 1] != ']' ? null : literal.Substring(v6 ? 6 : 1, literal.Length - (v6 ? 7 : 2));
            if (inner == null || !Endpoint.TryParseAddress(inner, address) || address.IsIPv6 != v6)
            {
                return _route.Fail(RouteStatus.Permanent, "5.1.2", literal + " is not an IPv4 or IPv6 address literal");
            }

            if (!Usable(address))
            {
                return NoIpv6(literal);
            }

            address.Port = port;
            target.AddressCount = 1;
            return _route;
        }

        private void AddHost(DnsName host, int preference, int port)
        {
            LookupStatus a = _resolver.Lookup(host, RecordType.A, _a);
            LookupStatus aaaa = LookupStatus.NoData;
            _aaaa.Clear(RecordType.Aaaa);
            if (_ipv6)
            {
                aaaa = _resolver.Lookup(host, RecordType.Aaaa, _aaaa);
            }

            if (a == LookupStatus.Failed || aaaa == LookupStatus.Failed)
            {
                _temporary = "address lookup for " + host.ToString() + " failed: " + (a == LookupStatus.Failed ? _a.Error : _aaaa.Error);
            }

            DeliveryTarget target = _route.Add();
            target.Host = host.ToString();
            target.Preference = preference;
            // Both families, IPv4 first; when a host has more than fit, each family keeps at least half the places.
            int half = DeliveryTarget.MaxAddresses / 2;
            int takeA = Min(_a.Count, DeliveryTarget.MaxAddresses - Min(_aaaa.Count, half));
            int takeAaaa = Min(_aaaa.Count, DeliveryTarget.MaxAddresses - takeA);
            for (int i = 0; i < takeA; i++)
            {
                _a.CopyAddress(i, target.Address(i));
                target.Address(i).Port = port;
            }

            for (int i = 0; i < takeAaaa; i++)
            {
                _aaaa.CopyAddress(i, target.Address(takeA + i));
                target.Address(takeA + i).Port = port;
            }

            target.AddressCount = takeA + takeAaaa;
            if (target.AddressCount == 0)
            {
                _route.DropLast();
            }
        }

        private bool Usable(Endpoint address)
        {
            return _ipv6 || !address.IsIPv6;
        }

        private MailRoute NoIpv6(string target)
        {
            return _route.Fail(RouteStatus.Permanent, "5.4.4", target + " is an IPv6 address, and inet_protocols = ipv4 here");
        }

        private MailRoute Finish(string noAddresses)
        {
            if (_route.Count > 0)
            {
                return _route;
            }

            return _temporary != null
                ? _route.Fail(RouteStatus.Temporary, "4.4.3", _temporary)
                : _route.Fail(RouteStatus.Permanent, "5.4.4", noAddresses);
        }

        // RFC 5321 §5.1: lowest preference first; hosts of equal preference in random order to spread load.
        private void SortByPreference()
        {
            int n = _mx.Count;
            for (int i = 0; i < n; i++)
            {
                int j = i;
                while (j > 0 && _mx.Preference(_order[j - 1]) > _mx.Preference(i))
                {
                    _order[j] = _order[j - 1];
                    j--;
                }

                _order[j] = i;
            }

            for (int start = 0; start < n;)
            {
                int end = start + 1;
                while (end < n && _mx.Preference(_order[end]) == _mx.Preference(_order[start]))
                {
                    end++;
                }

                for (int k = end - 1; k > start; k--)
                {
                    int pick = start + _random.Next(k - start + 1);
                    int swap = _order[k];
                    _order[k] = _order[pick];
                    _order[pick] = swap;
                }

                start = end;
            }
        }

        private static bool SetName(DnsName into, string name)
        {
            try
            {
                into.Set(name);
                return !into.IsRoot;
            }
            catch (DnsException)
            {
                return false;
            }
        }

        private static int Min(int a, int b)
        {
            return a < b ? a : b;
        }
    }
}

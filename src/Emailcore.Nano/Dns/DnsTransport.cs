using Emailcore.Nano.Config;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Dns
{
    /// <summary>
    /// Sends one query to the configured servers in turn, over UDP from a fresh random port with a random ID,
    /// and over TCP when the answer comes back truncated. Buffers are allocated once.
    /// </summary>
    public sealed class DnsTransport
    {
        private const int DnsPort = 53;

        private readonly INetwork _network;
        private readonly IRandom _random;
        private readonly IClock _clock;
        private readonly ILog _log;
        private readonly Endpoint[] _servers;
        private readonly int _timeout;
        private readonly int _attempts;
        private readonly int _ednsUdpSize;
        private readonly int _udpLimit;

        // Two octets in front for the TCP length prefix, so the query goes out in one write (RFC 7766 §8).
        private readonly byte[] _query = new byte[2 + DnsMessage.MaxQueryLength];
        private readonly byte[] _response;
        private readonly byte[] _idBytes = new byte[2];
        private readonly Endpoint _source = new Endpoint();
        private readonly DnsMessage _message = new DnsMessage();

        /// <param name="servers">Servers to ask in order; empty: the network's own, looked up at each query.</param>
        /// <param name="ednsUdpSize">UDP payload offered in EDNS0 (RFC 6891), 512..1232; 0 sends no OPT record.</param>
        /// <param name="messageSizeLimit">Largest response taken over TCP; the one response buffer has this size.</param>
        public DnsTransport(INetwork network, IRandom random, IClock clock, ILog log, Endpoint[] servers, int timeoutMilliseconds, int attempts, int ednsUdpSize, int messageSizeLimit)
        {
            _network = network;
            _random = random;
            _clock = clock;
            _log = log;
            _servers = servers;
            _timeout = timeoutMilliseconds;
            _attempts = attempts < 1 ? 1 : attempts;
            _ednsUdpSize = ednsUdpSize <= 0 ? 0 : (ednsUdpSize < DnsMessage.ClassicUdpSize ? DnsMessage.ClassicUdpSize : (ednsUdpSize > DnsMessage.MaxEdnsUdpSize ? DnsMessage.MaxEdnsUdpSize : ednsUdpSize));
            _udpLimit = _ednsUdpSize > 0 ? _ednsUdpSize : DnsMessage.ClassicUdpSize;
            _response = new byte[messageSizeLimit > _udpLimit ? messageSizeLimit : _udpLimit];
            Deadline = long.MaxValue;
        }

        /// <summary>
        /// The transport the configuration describes: dns_servers (or the network's), dns_timeout, dns_attempts,
        /// dns_edns_udp_size, dns_message_size_limit. Throws <see cref="ConfigException"/> when dns_servers holds something that is not an address.
        /// </summary>
        public static DnsTransport Create(MainConfig config, INetwork network, IRandom random, IClock clock, ILog log)
        {
            Endpoint[] servers = ParseServers(config.GetList(Parameters.DnsServers));
            if (servers == null)
            {
                throw new ConfigException(config.FileName, 0, "dns_servers: expected addresses such as 192.0.2.53 or [2001:db8::53]:53");
            }

            return new DnsTransport(
                network,
                random,
                clock,
                log,
                servers,
                config.GetMilliseconds(Parameters.DnsTimeout),
                config.GetCount(Parameters.DnsAttempts),
                config.GetCount(Parameters.DnsEdnsUdpSize),
                (int)config.GetSize(Parameters.DnsMessageSizeLimit));
        }

        /// <summary>Why the last <see cref="Query"/> returned null.</summary>
        public string LastError { get; private set; }

        /// <summary>
        /// Monotonic milliseconds past which nothing is sent or awaited, however many servers and attempts are left:
        /// a caller's bound over several lookups (the server's client names). long.MaxValue (the default): none.
        /// </summary>
        public long Deadline { get; set; }

        /// <summary>
        /// Asks for <paramref name="type"/> records of <paramref name="name"/>. Returns the checked response
        /// when a server gave NOERROR or NXDOMAIN, or null when none did within the attempts (see <see cref="LastError"/>).
        /// The message stays valid until the next query.
        /// </summary>
        public DnsMessage Query(DnsName name, int type)
        {
            Endpoint[] servers = _servers.Length > 0 ? _servers : _network.SystemDnsServers();
            if (servers.Length == 0)
            {
                LastError = "no DNS servers: set dns_servers";
                return null;
            }

            LastError = "no answer";
            for (int attempt = 0; attempt < _attempts; attempt++)
            {
                for (int s = 0; s < servers.Length; s++)
                {
                    Endpoint server = servers[s];
                    if (Exchange(server, name, type, _ednsUdpSize))
                    {
                        int rcode = _message.Rcode;
                        // RFC 6891 §7: a server that does not know EDNS answers FORMERR; ask it again without OPT.
                        if (rcode == ResponseCode.FormatError && _ednsUdpSize > 0 && Exchange(server, name, type, 0))
                        {
                            rcode = _message.Rcode;
                        }

                        if (rcode == ResponseCode.NoError || rcode == ResponseCode.NameError)
                        {
                            return _message;
                        }

                        LastError = ResponseCode.Name(rcode) + " from " + server.ToString() + " for " + name.ToString() + " " + RecordType.Name(type);
                    }
                }
            }

            return null;
        }

        private bool Exchange(Endpoint server, DnsName name, int type, int ednsUdpSize)
        {
            if (_clock.MonotonicMilliseconds >= Deadline)
            {
                LastError = "time limit reached before " + server.ToString() + " answered for " + name.ToString() + " " + RecordType.Name(type);
                return false;
            }

            _random.NextBytes(_idBytes, 0, 2);
            int id = (_idBytes[0] << 8) | _idBytes[1];
            int length = DnsMessage.WriteQuery(_query, 2, id, name, type, ednsUdpSize);
            try
            {
                if (!ExchangeUdp(server, name, type, id, length, ednsUdpSize > 0 ? ednsUdpSize : DnsMessage.ClassicUdpSize))
                {
                    return false;
                }

                // RFC 1035 §4.2.1, RFC 7766 §5: a truncated answer is asked again over TCP.
                return !_message.Truncated || ExchangeTcp(server, name, type, id, length);
            }
            catch (ConnectionException e)
            {
                LastError = server.ToString() + ": " + e.Message;
                return false;
            }
        }

        private bool ExchangeUdp(Endpoint server, DnsName name, int type, int id, int length, int udpSize)
        {
            // A new socket per query: the platform binds port 0, a random source port (RFC 5452 §9.2).
            IDatagramSocket socket = _network.OpenDatagram(server);
            try
            {
                socket.SendTo(_query, 2, length, server);
                long deadline = Bounded(_clock.MonotonicMilliseconds + _timeout);
                while (true)
                {
                    long left = deadline - _clock.MonotonicMilliseconds;
                    int n = left <= 0 ? Connection.TimedOut : socket.ReceiveFrom(_response, 0, udpSize, _source, (int)left);
                    if (n == Connection.TimedOut)
                    {
                        LastError = "no answer from " + server.ToString() + " within " + (_timeout / 1000).ToString() + "s for " + name.ToString() + " " + RecordType.Name(type);
                        return false;
                    }

                    // RFC 5452 §9.1: only the address and port we asked may answer; anything else is dropped unread.
                    if (!_source.SameAddress(server) || _source.Port != server.Port)
                    {
                        _log.Write(LogLevel.Warning, "dns: ignored a datagram from " + _source.ToString() + " while waiting for " + server.ToString());
                        continue;
                    }

                    try
                    {
                        _message.Parse(_response, n, id, name, type);
                        return true;
                    }
                    catch (DnsMismatchException e)
                    {
                        _log.Write(LogLevel.Warning, "dns: ignored a response from " + server.ToString() + ": " + e.Message);
                    }
                    catch (DnsException e)
                    {
                        LastError = "malformed response from " + server.ToString() + ": " + e.Message;
                        return false;
                    }
                }
            }
            finally
            {
                socket.Close();
            }
        }

        private bool ExchangeTcp(Endpoint server, DnsName name, int type, int id, int length)
        {
            long deadline = Bounded(_clock.MonotonicMilliseconds + _timeout);
            int timeout = (int)(deadline - _clock.MonotonicMilliseconds);
            if (timeout <= 0)
            {
                LastError = "time limit reached before the TCP query to " + server.ToString();
                return false;
            }

            IConnection connection = _network.Connect(server, timeout);
            try
            {
                // RFC 7766 §8: the two-octet length, then the message.
                DnsMessage.WriteShort(_query, 0, length);
                connection.Write(_query, 0, length + 2, timeout);
                if (!ReadFully(connection, 2, deadline, server))
                {
                    return false;
                }

                int size = DnsMessage.ReadShort(_response, 0);
                if (size > _response.Length)
                {
                    LastError = "TCP response of " + size.ToString() + " octets from " + server.ToString() + " exceeds dns_message_size_limit";
                    return false;
                }

                if (!ReadFully(connection, size, deadline, server))
                {
                    return false;
                }

                try
                {
                    _message.Parse(_response, size, id, name, type);
                    return true;
                }
                catch (DnsException e)
                {
                    LastError = "bad TCP response from " + server.ToString() + ": " + e.Message;
                    return false;
                }
            }
            finally
            {
                connection.Close();
            }
        }

        private long Bounded(long deadline)
        {
            return deadline < Deadline ? deadline : Deadline;
        }

        private bool ReadFully(IConnection connection, int count, long deadline, Endpoint server)
        {
            int done = 0;
            while (done < count)
            {
                long left = deadline - _clock.MonotonicMilliseconds;
                int n = left <= 0 ? Connection.TimedOut : connection.Read(_response, done, count - done, (int)left);
                if (n <= 0)
                {
                    LastError = n == 0 ? "TCP connection to " + server.ToString() + " closed mid-response" : "TCP response from " + server.ToString() + " timed out";
                    return false;
                }

                done += n;
            }

            return true;
        }

        /// <summary>Parses dns_servers items "ip[:port]" or "[ipv6]:port" (port 53 when absent); null when one is not an address.</summary>
        public static Endpoint[] ParseServers(string[] items)
        {
            var servers = new Endpoint[items.Length];
            for (int i = 0; i < items.Length; i++)
            {
                servers[i] = new Endpoint();
                if (!Endpoint.TryParse(items[i], DnsPort, servers[i]))
                {
                    return null;
                }
            }

            return servers;
        }
    }
}

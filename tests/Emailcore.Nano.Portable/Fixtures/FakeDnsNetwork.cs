#nullable disable
using System;
using System.Collections;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>A query as the fake network saw it.</summary>
    public sealed class FakeQuery
    {
        public FakeQuery(int id, string name, int type, bool edns, Endpoint server)
        {
            Id = id;
            Name = name;
            Type = type;
            Edns = edns;
            Server = server;
        }

        public int Id { get; private set; }

        public string Name { get; private set; }

        public int Type { get; private set; }

        public bool Edns { get; private set; }

        public Endpoint Server { get; private set; }
    }

    /// <summary>One datagram the fake delivers to the resolver's socket.</summary>
    public sealed class FakeReply
    {
        public FakeReply(Endpoint from, byte[] packet)
        {
            From = from;
            Packet = packet;
        }

        public Endpoint From { get; private set; }

        public byte[] Packet { get; private set; }
    }

    /// <summary>The datagrams the DNS servers send back to one query.</summary>
    public delegate FakeReply[] UdpAnswer(FakeQuery query);

    /// <summary>The TCP answer to a query (without the length prefix); null refuses the connection.</summary>
    public delegate byte[] TcpAnswer(FakeQuery query);

    /// <summary>
    /// Fault injection for the resolver, mscorlib only: a network whose DNS servers answer through a script
    /// (spoofed sources, wrong IDs, malformed packets, silence) and whose clock jumps forward instead of sleeping.
    /// </summary>
    public sealed class FakeDnsNetwork : INetwork, IClock
    {
        private readonly ArrayList _pending = new ArrayList();
        private readonly ArrayList _queries = new ArrayList();

        public FakeDnsNetwork(UdpAnswer udp)
        {
            Udp = udp;
            MonotonicMilliseconds = 1000;
            KeepQueries = true;
        }

        /// <summary>False: <see cref="Queries"/> keeps only the last query, so a long run's heap does not grow with it (the heap probe).</summary>
        public bool KeepQueries { get; set; }

        public UdpAnswer Udp { get; private set; }

        /// <summary>The TCP answer to the last query; null (the default) refuses the connection.</summary>
        public TcpAnswer Tcp { get; set; }

        /// <summary>Octets of the TCP answer withheld at its end, as if the server closed mid-response.</summary>
        public int TcpCut { get; set; }

        /// <summary>The queries so far, oldest first (a copy).</summary>
        public FakeQuery[] Queries
        {
            get
            {
                var copy = new FakeQuery[_queries.Count];
                _queries.CopyTo(copy, 0);
                return copy;
            }
        }

        public int TcpConnections { get; private set; }

        public long MonotonicMilliseconds { get; private set; }

        public static Endpoint At(string text)
        {
            var endpoint = new Endpoint();
            if (!Endpoint.TryParse(text, 53, endpoint))
            {
                throw new ArgumentException(text);
            }

            return endpoint;
        }

        /// <summary>Replies from the server that was asked.</summary>
        public static FakeReply[] From(FakeQuery query, params byte[][] packets)
        {
            var replies = new FakeReply[packets.Length];
            for (int i = 0; i < packets.Length; i++)
            {
                replies[i] = new FakeReply(query.Server, packets[i]);
            }

            return replies;
        }

        public void Advance(long milliseconds)
        {
            MonotonicMilliseconds += milliseconds;
        }

        public IConnection Connect(Endpoint remote, int timeoutMilliseconds)
        {
            TcpConnections++;
            var last = (FakeQuery)_queries[_queries.Count - 1];
            byte[] answer = Tcp == null ? null : Tcp(new FakeQuery(last.Id, last.Name, last.Type, last.Edns, remote));
            if (answer == null)
            {
                throw new ConnectionException("connect to " + remote.ToString() + " refused");
            }

            var prefixed = new byte[answer.Length + 2];
            prefixed[0] = (byte)(answer.Length >> 8);
            prefixed[1] = (byte)answer.Length;
            Array.Copy(answer, 0, prefixed, 2, answer.Length);

            // Delivered in small pieces: the reader must reassemble the length prefix and the message.
            var connection = new ScriptedConnection();
            int sent = prefixed.Length - TcpCut;
            for (int i = 0; i < sent; i += 100)
            {
                var piece = new byte[Numbers.Min(100, sent - i)];
                Array.Copy(prefixed, i, piece, 0, piece.Length);
                connection.Then(piece);
            }

            return connection;
        }

        public IListener Listen(Endpoint local)
        {
            throw new NotSupportedException();
        }

        public IDatagramSocket OpenDatagram(Endpoint family)
        {
            return new Socket(this);
        }

        public Endpoint[] SystemDnsServers()
        {
            return new Endpoint[0];
        }

        public bool TryGetUtcNow(out DateTime utcNow)
        {
            utcNow = new DateTime(Utc.At(1970, 1, 1, 0, 0, 0).Ticks + MonotonicMilliseconds * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
            return true;
        }

        public void Sleep(int milliseconds)
        {
            Advance(milliseconds);
        }

        private static FakeQuery Parse(byte[] buffer, int offset, Endpoint server)
        {
            int id = (buffer[offset] << 8) | buffer[offset + 1];
            bool edns = buffer[offset + 11] == 1;
            string name = "";
            int p = offset + 12;
            while (buffer[p] != 0)
            {
                name += (name.Length > 0 ? "." : "") + Ascii.GetString(buffer, p + 1, buffer[p]);
                p += buffer[p] + 1;
            }

            int type = (buffer[p + 1] << 8) | buffer[p + 2];
            var copy = new Endpoint();
            copy.CopyFrom(server);
            return new FakeQuery(id, name, type, edns, copy);
        }

        private sealed class Socket : IDatagramSocket
        {
            private readonly FakeDnsNetwork _network;

            public Socket(FakeDnsNetwork network)
            {
                _network = network;
            }

            public void SendTo(byte[] buffer, int offset, int count, Endpoint remote)
            {
                FakeQuery query = Parse(buffer, offset, remote);
                if (!_network.KeepQueries)
                {
                    // Only the last one, which a TCP retry needs.
                    _network._queries.Clear();
                }

                _network._queries.Add(query);
                FakeReply[] replies = _network.Udp(query);
                for (int i = 0; i < replies.Length; i++)
                {
                    _network._pending.Add(replies[i]);
                }
            }

            public int ReceiveFrom(byte[] buffer, int offset, int count, Endpoint source, int timeoutMilliseconds)
            {
                if (_network._pending.Count == 0)
                {
                    _network.Advance(timeoutMilliseconds);
                    return Connection.TimedOut;
                }

                var reply = (FakeReply)_network._pending[0];
                _network._pending.RemoveAt(0);
                int n = Numbers.Min(count, reply.Packet.Length);
                Array.Copy(reply.Packet, 0, buffer, offset, n);
                source.CopyFrom(reply.From);
                return n;
            }

            public void Close()
            {
                _network._pending.Clear();
            }
        }
    }

    /// <summary>Reproducible randomness (the shuffle of equal MX preferences, query IDs).</summary>
    public sealed class SeededRandom : IRandom
    {
        private readonly Random _random;

        public SeededRandom(int seed)
        {
            _random = new Random(seed);
        }

        public void NextBytes(byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count; i++)
            {
                buffer[offset + i] = (byte)_random.Next(256);
            }
        }

        public int Next(int maxExclusive)
        {
            return _random.Next(maxExclusive);
        }
    }
}

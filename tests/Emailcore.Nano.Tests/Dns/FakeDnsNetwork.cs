using System;
using System.Collections.Generic;
using System.Text;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Tests.Support;

namespace Emailcore.Nano.Tests.Dns
{
    /// <summary>A query as the fake network saw it.</summary>
    public sealed record FakeQuery(int Id, string Name, int Type, bool Edns, Endpoint Server);

    /// <summary>One datagram the fake delivers to the resolver's socket.</summary>
    public sealed record FakeReply(Endpoint From, byte[] Packet);

    /// <summary>
    /// Fault injection for the resolver: a network whose DNS servers answer through a script (spoofed
    /// sources, wrong IDs, malformed packets, silence) and whose clock jumps forward instead of sleeping.
    /// </summary>
    public sealed class FakeDnsNetwork : INetwork, IClock
    {
        private readonly Queue<FakeReply> _pending = new();

        public FakeDnsNetwork(Func<FakeQuery, IEnumerable<FakeReply>> udp)
        {
            Udp = udp;
        }

        public Func<FakeQuery, IEnumerable<FakeReply>> Udp { get; }

        /// <summary>The TCP answer to the last query (without the length prefix); null refuses the connection.</summary>
        public Func<FakeQuery, byte[]?> Tcp { get; set; } = _ => null;

        /// <summary>Octets of the TCP answer withheld at its end, as if the server closed mid-response.</summary>
        public int TcpCut { get; set; }

        public List<FakeQuery> Queries { get; } = new();

        public int TcpConnections { get; private set; }

        public long MonotonicMilliseconds { get; private set; } = 1000;

        public static Endpoint At(string text)
        {
            var endpoint = new Endpoint();
            if (!Endpoint.TryParse(text, 53, endpoint))
            {
                throw new ArgumentException(text);
            }

            return endpoint;
        }

        /// <summary>A reply from the server that was asked.</summary>
        public static IEnumerable<FakeReply> From(FakeQuery query, params byte[][] packets)
        {
            foreach (byte[] packet in packets)
            {
                yield return new FakeReply(query.Server, packet);
            }
        }

        public void Advance(long milliseconds) => MonotonicMilliseconds += milliseconds;

        public IConnection Connect(Endpoint remote, int timeoutMilliseconds)
        {
            TcpConnections++;
            FakeQuery last = Queries[^1] with { Server = remote };
            byte[] answer = Tcp(last) ?? throw new ConnectionException("connect to " + remote + " refused");
            var prefixed = new byte[answer.Length + 2];
            prefixed[0] = (byte)(answer.Length >> 8);
            prefixed[1] = (byte)answer.Length;
            answer.CopyTo(prefixed, 2);
            // Delivered in small pieces: the reader must reassemble the length prefix and the message.
            var connection = new ScriptedConnection();
            int sent = prefixed.Length - TcpCut;
            for (int i = 0; i < sent; i += 100)
            {
                connection.Then(prefixed.AsSpan(i, Math.Min(100, sent - i)).ToArray());
            }

            return connection;
        }

        public IListener Listen(Endpoint local) => throw new NotSupportedException();

        public IDatagramSocket OpenDatagram(Endpoint family) => new Socket(this);

        public Endpoint[] SystemDnsServers() => Array.Empty<Endpoint>();

        public bool TryGetUtcNow(out DateTime utcNow)
        {
            utcNow = DateTime.UnixEpoch.AddMilliseconds(MonotonicMilliseconds);
            return true;
        }

        public void Sleep(int milliseconds) => Advance(milliseconds);

        private static FakeQuery Parse(byte[] buffer, int offset, int count, Endpoint server)
        {
            int id = (buffer[offset] << 8) | buffer[offset + 1];
            bool edns = buffer[offset + 11] == 1;
            var name = new StringBuilder();
            int p = offset + 12;
            while (buffer[p] != 0)
            {
                if (name.Length > 0)
                {
                    name.Append('.');
                }

                name.Append(Encoding.ASCII.GetString(buffer, p + 1, buffer[p]));
                p += buffer[p] + 1;
            }

            int type = (buffer[p + 1] << 8) | buffer[p + 2];
            var copy = new Endpoint();
            copy.CopyFrom(server);
            return new FakeQuery(id, name.ToString(), type, edns, copy);
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
                FakeQuery query = Parse(buffer, offset, count, remote);
                _network.Queries.Add(query);
                foreach (FakeReply reply in _network.Udp(query))
                {
                    _network._pending.Enqueue(reply);
                }
            }

            public int ReceiveFrom(byte[] buffer, int offset, int count, Endpoint source, int timeoutMilliseconds)
            {
                if (_network._pending.Count == 0)
                {
                    _network.Advance(timeoutMilliseconds);
                    return Connection.TimedOut;
                }

                FakeReply reply = _network._pending.Dequeue();
                int n = Math.Min(count, reply.Packet.Length);
                Array.Copy(reply.Packet, 0, buffer, offset, n);
                source.CopyFrom(reply.From);
                return n;
            }

            public void Close() => _network._pending.Clear();
        }
    }

    /// <summary>Reproducible randomness for the shuffle of equal MX preferences.</summary>
    public sealed class SeededRandom : IRandom
    {
        private readonly Random _random;

        public SeededRandom(int seed)
        {
            _random = new Random(seed);
        }

        public void NextBytes(byte[] buffer, int offset, int count) => _random.NextBytes(buffer.AsSpan(offset, count));

        public int Next(int maxExclusive) => _random.Next(maxExclusive);
    }

    /// <summary>Log lines kept for assertions.</summary>
    public sealed class ListLog : ILog
    {
        public List<string> Lines { get; } = new();

        public void Write(LogLevel level, string line) => Lines.Add(line);
    }
}

using System;
using System.Collections.Generic;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>
    /// The host's network with well-known TCP ports (25 for MX delivery, 443 for MTA-STS) moved to the loopback ports of
    /// the test's servers, and every TCP connect recorded by the port asked for.
    /// </summary>
    public sealed class MovedPortsNetwork : INetwork
    {
        private readonly INetwork _inner;
        private readonly Dictionary<int, int> _moves;
        private readonly List<string> _connects = new();

        public MovedPortsNetwork(INetwork inner, Dictionary<int, int> moves)
        {
            _inner = inner;
            _moves = moves;
        }

        /// <summary>"address:port" of each connect, with the port as the client asked for it.</summary>
        public IReadOnlyList<string> Connects
        {
            get
            {
                lock (_connects)
                {
                    return _connects.ToArray();
                }
            }
        }

        public IConnection Connect(Endpoint remote, int timeoutMilliseconds)
        {
            lock (_connects)
            {
                _connects.Add(remote.ToString());
            }

            if (!_moves.TryGetValue(remote.Port, out int port))
            {
                return _inner.Connect(remote, timeoutMilliseconds);
            }

            var moved = new Endpoint();
            Endpoint.TryParse(remote.AddressText(), port, moved);
            moved.Port = port;
            return _inner.Connect(moved, timeoutMilliseconds);
        }

        public IListener Listen(Endpoint local) => _inner.Listen(local);

        public IDatagramSocket OpenDatagram(Endpoint family) => _inner.OpenDatagram(family);

        public Endpoint[] SystemDnsServers() => throw new InvalidOperationException("the tests never use the machine's resolver");
    }
}

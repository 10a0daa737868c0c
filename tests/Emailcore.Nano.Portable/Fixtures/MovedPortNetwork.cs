#nullable disable
using System.Threading;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>
    /// A network with one change: connections to one well-known TCP port (25, where MX delivery goes; 443, where MTA-STS
    /// policies are fetched) reach the test's server on the port it got instead, since a test cannot bind those ports.
    /// Addresses, DNS, listeners and every other port are the wrapped network's own (the host's in the xunit tests, the
    /// board binding's on the emulator). Wrap one in another to move two ports.
    /// </summary>
    public sealed class MovedPortNetwork : INetwork
    {
        private readonly INetwork _inner;
        private readonly int _from;
        private readonly int _to;
        private int _connects;

        /// <param name="to">Where connections to port <paramref name="from"/> go; 0 leaves them where they were.</param>
        public MovedPortNetwork(INetwork inner, int from, int to)
        {
            _inner = inner;
            _from = from;
            _to = to;
        }

        /// <summary>Connects asked for port <paramref name="from"/> of the constructor so far: the servers tried there.</summary>
        public int Connects
        {
            get { return _connects; }
        }

        public IConnection Connect(Endpoint remote, int timeoutMilliseconds)
        {
            if (remote.Port != _from)
            {
                return _inner.Connect(remote, timeoutMilliseconds);
            }

            Interlocked.Increment(ref _connects);
            if (_to == 0)
            {
                return _inner.Connect(remote, timeoutMilliseconds);
            }

            var moved = new Endpoint();
            moved.CopyFrom(remote);
            moved.Port = _to;
            return _inner.Connect(moved, timeoutMilliseconds);
        }

        public IListener Listen(Endpoint local)
        {
            return _inner.Listen(local);
        }

        public IDatagramSocket OpenDatagram(Endpoint family)
        {
            return _inner.OpenDatagram(family);
        }

        public Endpoint[] SystemDnsServers()
        {
            return _inner.SystemDnsServers();
        }
    }
}

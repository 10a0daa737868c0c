#nullable disable
using Emailcore.Nano.Config;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>
    /// A network with one change: connections to TCP port 25, where MX delivery goes, reach the test's server on the
    /// port it got instead, since an unprivileged test cannot bind port 25. Addresses, DNS, listeners and every other
    /// port are the wrapped network's own (the host's in the xunit tests, the board binding's on the emulator).
    /// </summary>
    public sealed class Port25Network : INetwork
    {
        private readonly INetwork _inner;
        private readonly int _port;

        /// <param name="port">Where port 25 connections go; 0 leaves them at 25.</param>
        public Port25Network(INetwork inner, int port)
        {
            _inner = inner;
            _port = port;
        }

        public IConnection Connect(Endpoint remote, int timeoutMilliseconds)
        {
            if (remote.Port != NextHop.SmtpPort || _port == 0)
            {
                return _inner.Connect(remote, timeoutMilliseconds);
            }

            var moved = new Endpoint();
            moved.CopyFrom(remote);
            moved.Port = _port;
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

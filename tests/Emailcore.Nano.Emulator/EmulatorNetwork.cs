using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Emulator
{
    /// <summary>
    /// The board's network binding with one change that is the emulator's: connections to TCP port 25, where MX
    /// delivery goes, reach the test's sink on the port it got instead, since an unprivileged test cannot bind 25.
    /// Addresses, DNS over UDP and TCP, listeners and every other port are the board binding's own.
    /// </summary>
    public sealed class EmulatorNetwork : INetwork
    {
        private const int SmtpPort = 25;

        private readonly INetwork _board;
        private readonly int _port25;

        /// <param name="port25">Where port 25 connections go; 0 leaves them at 25.</param>
        public EmulatorNetwork(INetwork board, int port25)
        {
            _board = board;
            _port25 = port25;
        }

        public IConnection Connect(Endpoint remote, int timeoutMilliseconds)
        {
            if (remote.Port != SmtpPort || _port25 == 0)
            {
                return _board.Connect(remote, timeoutMilliseconds);
            }

            var moved = new Endpoint();
            moved.CopyFrom(remote);
            moved.Port = _port25;
            return _board.Connect(moved, timeoutMilliseconds);
        }

        public IListener Listen(Endpoint local)
        {
            return _board.Listen(local);
        }

        public IDatagramSocket OpenDatagram(Endpoint family)
        {
            return _board.OpenDatagram(family);
        }

        public Endpoint[] SystemDnsServers()
        {
            return _board.SystemDnsServers();
        }
    }
}

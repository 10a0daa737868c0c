namespace Emailcore.Nano.Platform
{
    /// <summary>The network as the core sees it: TCP out, TCP in, and UDP datagrams for DNS.</summary>
    public interface INetwork
    {
        /// <summary>Connects to an address (never a name: the core resolves names itself). Throws <see cref="ConnectionException"/>.</summary>
        IConnection Connect(Endpoint remote, int timeoutMilliseconds);

        /// <summary>Listens on a local address and port (port 0: any free port). Implicit TLS is the session's job: it calls StartTlsServer first.</summary>
        IListener Listen(Endpoint local);

        /// <summary>Opens a UDP socket on a random local port of the family of <paramref name="family"/>.</summary>
        IDatagramSocket OpenDatagram(Endpoint family);

        /// <summary>The DNS servers the system or the board's network interface reports; empty when none.</summary>
        Endpoint[] SystemDnsServers();
    }

    public interface IListener
    {
        /// <summary>Waits for a client; null when <paramref name="timeoutMilliseconds"/> passed without one.</summary>
        IConnection Accept(int timeoutMilliseconds);

        Endpoint LocalEndpoint { get; }

        void Close();
    }

    public interface IDatagramSocket
    {
        void SendTo(byte[] buffer, int offset, int count, Endpoint remote);

        /// <summary>
        /// Receives one datagram into the buffer and fills <paramref name="source"/> with its sender.
        /// Returns its length, or <see cref="Connection.TimedOut"/>.
        /// </summary>
        int ReceiveFrom(byte[] buffer, int offset, int count, Endpoint source, int timeoutMilliseconds);

        void Close();
    }
}

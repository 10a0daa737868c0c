using System;
using System.Net;
using System.Net.Sockets;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>
    /// A loopback port where nobody answers and that nobody else can take while this lives: a TCP socket bound but
    /// never listening (a connect is refused), or a UDP socket that never replies (a DNS server that stays silent).
    /// Replaces picking a free port and hoping it stays free.
    /// </summary>
    public sealed class SilentPort : IDisposable
    {
        private readonly Socket _socket;

        private SilentPort(SocketType type, ProtocolType protocol)
        {
            _socket = new Socket(AddressFamily.InterNetwork, type, protocol);
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
        }

        public int Port { get; }

        /// <summary>A TCP port that refuses connections: an upstream that is down.</summary>
        public static SilentPort Tcp() => new(SocketType.Stream, ProtocolType.Tcp);

        /// <summary>A UDP port that never answers: a DNS server nobody runs.</summary>
        public static SilentPort Udp() => new(SocketType.Dgram, ProtocolType.Udp);

        public void Dispose() => _socket.Dispose();
    }
}

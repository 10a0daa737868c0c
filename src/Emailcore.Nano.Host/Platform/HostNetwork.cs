using System;
using System.Collections.Generic;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Host.Platform
{
    /// <summary>The host's network: .NET sockets.</summary>
    public sealed class HostNetwork : INetwork
    {
        private readonly TlsSettings _tls;

        public HostNetwork(TlsSettings tls)
        {
            _tls = tls;
        }

        public IConnection Connect(Endpoint remote, int timeoutMilliseconds)
        {
            IPEndPoint target = remote.ToIPEndPoint();
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                IAsyncResult pending = socket.BeginConnect(target, null, null);
                if (!pending.AsyncWaitHandle.WaitOne(timeoutMilliseconds))
                {
                    throw new ConnectionException("connect to " + remote + " timed out");
                }

                socket.EndConnect(pending);
                return new TcpConnection(socket, _tls);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw new ConnectionException("connect to " + remote + " failed: " + e.Message, e);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        public IListener Listen(Endpoint local)
        {
            IPEndPoint at = local.ToIPEndPoint();
            var socket = new Socket(at.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(at);
                socket.Listen(64);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw new ConnectionException("cannot listen on " + local + ": " + e.Message, e);
            }

            return new TcpListenerSeam(socket, _tls);
        }

        public IDatagramSocket OpenDatagram(Endpoint family)
        {
            var socket = new Socket(family.IsIPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            // Port 0: the kernel picks a random ephemeral source port (RFC 5452 §9.2).
            socket.Bind(new IPEndPoint(family.IsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
            return new UdpSeam(socket);
        }

        public Endpoint[] SystemDnsServers()
        {
            var servers = new List<Endpoint>();
            foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.OperationalStatus != OperationalStatus.Up)
                {
                    continue;
                }

                foreach (IPAddress address in nic.GetIPProperties().DnsAddresses)
                {
                    servers.Add(new IPEndPoint(address, 53).ToEndpoint());
                }
            }

            return servers.ToArray();
        }

        private sealed class TcpListenerSeam : IListener
        {
            private readonly Socket _socket;
            private readonly TlsSettings _tls;

            public TcpListenerSeam(Socket socket, TlsSettings tls)
            {
                _socket = socket;
                _tls = tls;
                LocalEndpoint = ((IPEndPoint)socket.LocalEndPoint!).ToEndpoint();
            }

            public Endpoint LocalEndpoint { get; }

            public IConnection? Accept(int timeoutMilliseconds)
            {
                try
                {
                    if (!_socket.Poll(PollTime.Microseconds(timeoutMilliseconds), SelectMode.SelectRead))
                    {
                        return null;
                    }

                    return new TcpConnection(_socket.Accept(), _tls);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    throw new ConnectionException("accept failed: " + e.Message, e);
                }
            }

            public void Close() => _socket.Dispose();
        }

        private sealed class UdpSeam : IDatagramSocket
        {
            private readonly Socket _socket;
            private EndPoint _from;

            public UdpSeam(Socket socket)
            {
                _socket = socket;
                _from = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            }

            public void SendTo(byte[] buffer, int offset, int count, Endpoint remote)
            {
                try
                {
                    _socket.SendTo(buffer, offset, count, SocketFlags.None, remote.ToIPEndPoint());
                }
                catch (SocketException e)
                {
                    throw new ConnectionException("send to " + remote + " failed: " + e.Message, e);
                }
            }

            public int ReceiveFrom(byte[] buffer, int offset, int count, Endpoint source, int timeoutMilliseconds)
            {
                try
                {
                    if (!_socket.Poll(PollTime.Microseconds(timeoutMilliseconds), SelectMode.SelectRead))
                    {
                        return Connection.TimedOut;
                    }

                    int n = _socket.ReceiveFrom(buffer, offset, count, SocketFlags.None, ref _from);
                    source.Fill((IPEndPoint)_from);
                    return n;
                }
                catch (SocketException e)
                {
                    throw new ConnectionException("receive failed: " + e.Message, e);
                }
            }

            public void Close() => _socket.Dispose();
        }
    }
}

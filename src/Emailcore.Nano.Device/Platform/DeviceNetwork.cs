using System;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Threading;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Device.Platform
{
    /// <summary>The board's network through nanoFramework's System.Net, IPv4 only (inet_protocols = ipv4).</summary>
    public sealed class DeviceNetwork : INetwork
    {
        private const int EphemeralFirst = 49152;
        private const int EphemeralCount = 16384;

        private readonly DeviceTls _tls;
        private readonly IRandom _random;

        public DeviceNetwork(DeviceTls tls, IRandom random)
        {
            _tls = tls;
            _random = random;
        }

        /// <summary>
        /// nanoFramework's Socket.Connect has no timeout: it waits in Poll(-1) until lwIP gives up on its SYN
        /// retries. That wait is managed (other threads run), and a timer closes the socket at
        /// <paramref name="timeoutMilliseconds"/>, which ends it with an error [to be confirmed on a board].
        /// </summary>
        public IConnection Connect(Endpoint remote, int timeoutMilliseconds)
        {
            IPEndPoint target = ToIPEndPoint(remote);
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var watchdog = new ConnectWatchdog(socket);
            var timer = new Timer(watchdog.Expire, null, timeoutMilliseconds, Timeout.Infinite);
            try
            {
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.NoDelay, true);
                socket.Connect(target);
                if (watchdog.Connected())
                {
                    return new DeviceConnection(socket, _tls);
                }
            }
            catch (Exception e)
            {
                if (!watchdog.Connected())
                {
                    socket.Close();
                    throw new ConnectionException("connect to " + remote.ToString() + " timed out after " + timeoutMilliseconds.ToString() + " ms", e);
                }

                socket.Close();
                throw new ConnectionException("connect to " + remote.ToString() + " failed: " + e.Message, e);
            }
            finally
            {
                timer.Dispose();
            }

            throw new ConnectionException("connect to " + remote.ToString() + " timed out after " + timeoutMilliseconds.ToString() + " ms");
        }

        public IListener Listen(Endpoint local)
        {
            IPEndPoint bound = ToIPEndPoint(local);
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(bound);
                socket.Listen(4);
                return new DeviceListener(socket, _tls);
            }
            catch (Exception e)
            {
                socket.Close();
                throw new ConnectionException("cannot listen on " + local.ToString() + ": " + e.Message, e);
            }
        }

        /// <summary>
        /// RFC 5452 §9.2: lwIP hands out ephemeral ports in sequence, so the port is picked at random here;
        /// a port already in use is skipped.
        /// </summary>
        public IDatagramSocket OpenDatagram(Endpoint family)
        {
            if (family.IsIPv6)
            {
                throw Ipv6Refused(family);
            }

            for (int attempt = 0; ; attempt++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    int port = EphemeralFirst + _random.Next(EphemeralCount);
                    socket.Bind(new IPEndPoint(IPAddress.Any, port));
                    return new DeviceDatagramSocket(socket);
                }
                catch (SocketException e)
                {
                    socket.Close();
                    if (e.ErrorCode != (int)SocketError.AddressAlreadyInUse || attempt == 8)
                    {
                        throw new ConnectionException("cannot open a UDP socket: socket error " + e.ErrorCode.ToString(), e);
                    }
                }
            }
        }

        /// <summary>The DNS servers DHCP or the static configuration gave the interfaces (at most two each).</summary>
        public Endpoint[] SystemDnsServers()
        {
            NetworkInterface[] interfaces = NetworkInterface.GetAllNetworkInterfaces();
            int count = 0;
            var found = new Endpoint[interfaces.Length * 2];
            for (int i = 0; i < interfaces.Length; i++)
            {
                string[] servers = interfaces[i].IPv4DnsAddresses;
                for (int s = 0; servers != null && s < servers.Length && count < found.Length; s++)
                {
                    var endpoint = new Endpoint();
                    if (Endpoint.TryParseAddress(servers[s], endpoint) && servers[s] != "0.0.0.0")
                    {
                        endpoint.Port = 53;
                        found[count++] = endpoint;
                    }
                }
            }

            var result = new Endpoint[count];
            Array.Copy(found, result, count);
            return result;
        }

        internal static Endpoint ToEndpoint(IPEndPoint endPoint)
        {
            var result = new Endpoint();
            byte[] bytes = endPoint.Address.GetAddressBytes();
            result.SetAddress(bytes, 0, bytes.Length);
            result.Port = endPoint.Port;
            return result;
        }

        internal static void Fill(Endpoint into, IPEndPoint endPoint)
        {
            byte[] bytes = endPoint.Address.GetAddressBytes();
            into.SetAddress(bytes, 0, bytes.Length);
            into.Port = endPoint.Port;
        }

        /// <summary>
        /// System.Net 1.11's IPEndPoint.Serialize writes an IPv4 address whatever the IPAddress holds, so an IPv6
        /// endpoint would silently become another address: it is refused (inet_protocols = ipv4 keeps the core from asking).
        /// </summary>
        internal static IPEndPoint ToIPEndPoint(Endpoint endpoint)
        {
            if (endpoint.IsIPv6)
            {
                throw Ipv6Refused(endpoint);
            }

            var bytes = new byte[endpoint.AddressLength];
            endpoint.CopyAddressTo(bytes, 0);
            return new IPEndPoint(new IPAddress(bytes), endpoint.Port);
        }

        private static ConnectionException Ipv6Refused(Endpoint endpoint)
        {
            return new ConnectionException(endpoint.ToString() + ": IPv6 is not available on a board (its System.Net carries IPv4 addresses only)");
        }

        /// <summary>Closes a connecting socket when its time is up, unless the connect finished first.</summary>
        private sealed class ConnectWatchdog
        {
            private readonly object _gate = new object();
            private readonly Socket _socket;
            private bool _done;
            private bool _expired;

            public ConnectWatchdog(Socket socket)
            {
                _socket = socket;
            }

            public void Expire(object state)
            {
                lock (_gate)
                {
                    if (_done)
                    {
                        return;
                    }

                    _expired = true;
                }

                _socket.Close();
            }

            /// <summary>Ends the watch; false when the timer had already closed the socket.</summary>
            public bool Connected()
            {
                lock (_gate)
                {
                    _done = true;
                    return !_expired;
                }
            }
        }
    }

    internal sealed class DeviceListener : IListener
    {
        private readonly Socket _socket;
        private readonly DeviceTls _tls;

        public DeviceListener(Socket socket, DeviceTls tls)
        {
            _socket = socket;
            _tls = tls;
            LocalEndpoint = DeviceNetwork.ToEndpoint((IPEndPoint)socket.LocalEndPoint);
        }

        public Endpoint LocalEndpoint { get; }

        public IConnection Accept(int timeoutMilliseconds)
        {
            try
            {
                if (!_socket.Poll(DeviceConnection.Microseconds(timeoutMilliseconds), SelectMode.SelectRead))
                {
                    return null;
                }

                return new DeviceConnection(_socket.Accept(), _tls);
            }
            catch (Exception e)
            {
                throw new ConnectionException("accept failed: " + e.Message, e);
            }
        }

        public void Close()
        {
            _socket.Close();
        }
    }

    internal sealed class DeviceDatagramSocket : IDatagramSocket
    {
        private readonly Socket _socket;
        private EndPoint _from = new IPEndPoint(IPAddress.Any, 0);

        public DeviceDatagramSocket(Socket socket)
        {
            _socket = socket;
        }

        public void SendTo(byte[] buffer, int offset, int count, Endpoint remote)
        {
            try
            {
                _socket.SendTo(buffer, offset, count, SocketFlags.None, DeviceNetwork.ToIPEndPoint(remote));
            }
            catch (Exception e)
            {
                throw new ConnectionException("send to " + remote.ToString() + " failed: " + e.Message, e);
            }
        }

        public int ReceiveFrom(byte[] buffer, int offset, int count, Endpoint source, int timeoutMilliseconds)
        {
            try
            {
                if (!_socket.Poll(DeviceConnection.Microseconds(timeoutMilliseconds), SelectMode.SelectRead))
                {
                    return Connection.TimedOut;
                }

                int n = _socket.ReceiveFrom(buffer, offset, count, SocketFlags.None, ref _from);
                DeviceNetwork.Fill(source, (IPEndPoint)_from);
                return n;
            }
            catch (Exception e)
            {
                throw new ConnectionException("receive failed: " + e.Message, e);
            }
        }

        public void Close()
        {
            _socket.Close();
        }
    }
}

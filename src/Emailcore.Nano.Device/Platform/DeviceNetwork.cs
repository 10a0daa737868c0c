using System;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Device.Platform
{
    /// <summary>The board's network through nanoFramework's System.Net.</summary>
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
        /// nanoFramework's Socket has no connect timeout: a dead host costs lwIP's SYN retries
        /// (CONFIG_LWIP_TCP_SYNMAXRTX), whatever <paramref name="timeoutMilliseconds"/> says.
        /// </summary>
        public IConnection Connect(Endpoint remote, int timeoutMilliseconds)
        {
            var socket = new Socket(Family(remote), SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.NoDelay, true);
                socket.Connect(ToIPEndPoint(remote));
                return new DeviceConnection(socket, _tls);
            }
            catch (Exception e)
            {
                socket.Close();
                throw new ConnectionException("connect to " + remote.ToString() + " failed: " + e.Message, e);
            }
        }

        public IListener Listen(Endpoint local)
        {
            var socket = new Socket(Family(local), SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(ToIPEndPoint(local));
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
            for (int attempt = 0; ; attempt++)
            {
                var socket = new Socket(Family(family), SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    int port = EphemeralFirst + _random.Next(EphemeralCount);
                    socket.Bind(new IPEndPoint(family.IsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, port));
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

        internal static IPEndPoint ToIPEndPoint(Endpoint endpoint)
        {
            var bytes = new byte[endpoint.AddressLength];
            endpoint.CopyAddressTo(bytes, 0);
            return new IPEndPoint(new IPAddress(bytes), endpoint.Port);
        }

        private static AddressFamily Family(Endpoint endpoint)
        {
            return endpoint.IsIPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
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

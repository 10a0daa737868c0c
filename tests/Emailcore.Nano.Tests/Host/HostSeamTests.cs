using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Platform;
using Xunit;

namespace Emailcore.Nano.Tests.Host
{
    /// <summary>The host bindings of the seams, on real sockets and a real directory.</summary>
    public sealed class HostSeamTests
    {
        [Fact]
        public void FileStoreAppendsSyncsReadsListsAndDeletes()
        {
            string dir = Path.Combine(Path.GetTempPath(), "emailcore-store-" + Path.GetRandomFileName());
            var store = new HostFileStore(dir);
            IStoreFile file = store.Create("seg00001");
            byte[] data = Encoding.ASCII.GetBytes("hello, flash");
            file.Append(data, 0, 5);
            file.Append(data, 5, data.Length - 5);
            file.Sync();
            Assert.Equal(data.Length, file.Length);
            var back = new byte[4];
            Assert.Equal(4, file.Read(7, back, 0, 4));
            Assert.Equal("flas", Encoding.ASCII.GetString(back));
            Assert.Equal(0, file.Read(data.Length, back, 0, 4));
            file.Close();

            Assert.Throws<StoreException>(() => store.Create("seg00001"));
            IStoreFile reopened = store.Open("seg00001");
            reopened.Append(data, 0, 1);
            Assert.Equal(data.Length + 1, reopened.Length);
            reopened.Close();

            Assert.Equal(new[] { "seg00001" }, store.List());
            store.Delete("seg00001");
            Assert.Empty(store.List());
            Assert.Throws<StoreException>(() => store.Open("seg00001"));
            Assert.Throws<StoreException>(() => store.Create("../escape"));
            Assert.True(store.FreeBytes > 0);
        }

        [Fact]
        public void TcpReadTimesOutThenStillReads()
        {
            var network = new HostNetwork(TlsSettings.None);
            IListener listener = network.Listen(Loopback(0));
            try
            {
                IConnection client = network.Connect(Loopback(listener.LocalEndpoint.Port), 5000);
                IConnection server = listener.Accept(5000)!;
                Assert.NotNull(server);
                var buffer = new byte[16];
                Assert.Equal(Connection.TimedOut, server.Read(buffer, 0, buffer.Length, 50));
                client.Write(Encoding.ASCII.GetBytes("EHLO x\r\n"), 0, 8, 5000);
                Assert.Equal(8, server.Read(buffer, 0, buffer.Length, 5000));
                Assert.Equal(client.LocalEndpoint.Port, server.RemoteEndpoint.Port);
                Assert.True(server.RemoteEndpoint.IsLoopback);
                Assert.Null(server.TlsProtocol);
                client.Close();
                Assert.Equal(0, server.Read(buffer, 0, buffer.Length, 5000));
                server.Close();
            }
            finally
            {
                listener.Close();
            }
        }

        [Fact]
        public void ConnectToAClosedPortIsAConnectionException()
        {
            var network = new HostNetwork(TlsSettings.None);
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var e = Assert.Throws<ConnectionException>(() => network.Connect(Loopback(port), 5000));
            Assert.Contains("127.0.0.1:" + port, e.Message);
        }

        [Fact]
        public void AcceptReturnsNullWhenNobodyCalls()
        {
            var network = new HostNetwork(TlsSettings.None);
            IListener listener = network.Listen(Loopback(0));
            Assert.Null(listener.Accept(20));
            listener.Close();
        }

        [Fact]
        public void DatagramsGoBothWaysAndNameTheirSource()
        {
            var network = new HostNetwork(TlsSettings.None);
            using var peer = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            int peerPort = ((IPEndPoint)peer.Client.LocalEndPoint!).Port;
            IDatagramSocket socket = network.OpenDatagram(Loopback(0));
            try
            {
                socket.SendTo(new byte[] { 1, 2, 3 }, 0, 3, Loopback(peerPort));
                IPEndPoint? from = null;
                byte[] got = peer.Receive(ref from);
                Assert.Equal(new byte[] { 1, 2, 3 }, got);
                peer.Send(new byte[] { 9, 8 }, 2, from);

                var buffer = new byte[512];
                var source = new Endpoint();
                Assert.Equal(2, socket.ReceiveFrom(buffer, 0, buffer.Length, source, 5000));
                Assert.Equal(peerPort, source.Port);
                Assert.Equal("127.0.0.1", source.AddressText());
                Assert.Equal(Connection.TimedOut, socket.ReceiveFrom(buffer, 0, buffer.Length, source, 20));
            }
            finally
            {
                socket.Close();
            }
        }

        [Fact]
        public void ClockIsKnownAndMonotonic()
        {
            var clock = new HostClock();
            Assert.True(clock.TryGetUtcNow(out DateTime now));
            Assert.Equal(DateTimeKind.Utc, now.Kind);
            long a = clock.MonotonicMilliseconds;
            clock.Sleep(5);
            Assert.True(clock.MonotonicMilliseconds >= a + 5);
        }

        [Fact]
        public void RandomStaysInRangeAndFillsBuffers()
        {
            var random = new HostRandom();
            Assert.All(Enumerable.Range(0, 200).Select(_ => random.Next(7)), v => Assert.InRange(v, 0, 6));
            var bytes = new byte[32];
            random.NextBytes(bytes, 8, 16);
            Assert.All(bytes.Take(8).Concat(bytes.Skip(24)), b => Assert.Equal(0, b));
        }

        private static Endpoint Loopback(int port)
        {
            var endpoint = new Endpoint();
            Assert.True(Endpoint.TryParse("127.0.0.1", port, endpoint));
            endpoint.Port = port;
            return endpoint;
        }
    }
}

using System;
using System.Threading;
using Emailcore.Nano.Device.Platform;
using Emailcore.Nano.Platform;
using nanoFramework.TestFramework;

namespace Emailcore.Nano.DeviceTests
{
    /// <summary>
    /// The board's bindings of the seams, run on a board (or nanoFramework's virtual device for the flash test):
    /// socket connect and read timeout, a TLS handshake, flash append/sync/re-read, and SNTP. The network tests
    /// need a peer on the LAN: `emailcore relay` with STARTTLS on <see cref="TestPeer"/> (see README, "Device build").
    /// State lives in static fields: the launcher calls the methods without an instance.
    /// </summary>
    [TestClass]
    public class DeviceBindingTests
    {
        /// <summary>Edit before deploying: a host on the board's LAN running `emailcore relay` with a certificate.</summary>
        public const string TestPeer = "192.168.1.10:2525";

        private static DeviceNetwork _network;

        [Setup]
        public static void Setup()
        {
            _network = new DeviceNetwork(new DeviceTls(null, null, 1), new DeviceRandom());
        }

        [TestMethod]
        public static void SocketConnectsAndReadTimesOut()
        {
            IConnection connection = _network.Connect(Peer(), 30000);
            var buffer = new byte[512];
            int greeting = connection.Read(buffer, 0, buffer.Length, 10000);
            Assert.IsTrue(greeting > 3, "the relay greets");
            Assert.AreEqual(Connection.TimedOut, connection.Read(buffer, 0, buffer.Length, 500), "silence is a timeout, not an error");
            connection.Close();
        }

        [TestMethod]
        public static void TlsHandshakeAfterStartTls()
        {
            IConnection connection = _network.Connect(Peer(), 30000);
            var buffer = new byte[512];
            connection.Read(buffer, 0, buffer.Length, 10000);
            Send(connection, "EHLO board.example\r\n");
            connection.Read(buffer, 0, buffer.Length, 10000);
            Send(connection, "STARTTLS\r\n");
            int n = connection.Read(buffer, 0, buffer.Length, 10000);
            Assert.IsTrue(n > 3 && buffer[0] == (byte)'2' && buffer[1] == (byte)'2' && buffer[2] == (byte)'0', "STARTTLS accepted");
            connection.StartTlsClient("relay.test", false, 30000);
            Assert.IsNotNull(connection.TlsProtocol);
            connection.Close();
        }

        [TestMethod]
        public static void FlashAppendSyncAndReread()
        {
            var files = new FlashFileSystem("I:\\");
            IFileStore store = files.OpenStore("devtest");
            string[] old = store.List();
            for (int i = 0; i < old.Length; i++)
            {
                store.Delete(old[i]);
            }

            IStoreFile file = store.Create("T0000001.SPL");
            var data = new byte[] { 1, 2, 3, 4, 5 };
            file.Append(data, 0, 3);
            file.Sync();
            file.Append(data, 3, 2);
            file.Sync();
            file.Close();
            IStoreFile again = store.Open("T0000001.SPL");
            var back = new byte[8];
            Assert.AreEqual(5, again.Read(0, back, 0, back.Length));
            Assert.AreEqual(5, back[4]);
            again.Close();
            store.Delete("T0000001.SPL");
        }

        [TestMethod]
        public static void SntpSetsTheClock()
        {
            var clock = new DeviceClock();
            DateTime now;
            for (int i = 0; i < 60 && !clock.TryGetUtcNow(out now); i++)
            {
                Thread.Sleep(1000);
            }

            Assert.IsTrue(clock.TryGetUtcNow(out now), "SNTP set the wall clock within a minute of the network coming up");
            long before = clock.MonotonicMilliseconds;
            Thread.Sleep(500);
            Assert.IsTrue(clock.MonotonicMilliseconds >= before + 400, "the monotonic clock moves");
        }

        private static Endpoint Peer()
        {
            var endpoint = new Endpoint();
            Assert.IsTrue(Endpoint.TryParse(TestPeer, 25, endpoint), "TestPeer is ip:port");
            return endpoint;
        }

        private static void Send(IConnection connection, string ascii)
        {
            byte[] bytes = Text.Ascii.GetBytes(ascii);
            connection.Write(bytes, 0, bytes.Length, 10000);
        }
    }
}

using System;
using System.Threading;
using Emailcore.Nano.Config;
using Emailcore.Nano.Device.Platform;
using Emailcore.Nano.Platform;
using nanoFramework.TestFramework;

namespace Emailcore.Nano.DeviceTests
{
    /// <summary>
    /// The board's bindings of the seams, run on a board (or nanoFramework's virtual device for the flash test):
    /// socket connect and read timeout, a TLS handshake, flash append/sync/re-read, and SNTP; and one test for each
    /// binding rule of issue 13: the monotonic clock, the ClientHello wait before a server handshake, the bounded
    /// connect, IPv4 only, the atomic rename, PEM errors as configuration errors, the network interface chosen.
    /// The network tests need a peer on the LAN: `emailcore relay` with STARTTLS on <see cref="TestPeer"/>
    /// (see README, "Device build"). State lives in static fields: the launcher calls the methods without an instance.
    /// </summary>
    [TestClass]
    public class DeviceBindingTests
    {
        /// <summary>Edit before deploying: a host on the board's LAN running `emailcore relay` with a certificate.</summary>
        public const string TestPeer = "192.168.1.10:2525";

        /// <summary>An address no host answers (RFC 5737 TEST-NET-1), for the connect timeout.</summary>
        public const string Unreachable = "192.0.2.1:25";

        private static DeviceNetwork _network;
        private static int _ticks;

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
            DateTime wallBefore = DateTime.UtcNow;
            long before = new DeviceClock().MonotonicMilliseconds;
            connection.StartTlsClient("relay.test", false, null, 30000);
            Assert.IsNotNull(connection.TlsProtocol);
            long monotonic = new DeviceClock().MonotonicMilliseconds - before;
            long wall = (long)(DateTime.UtcNow - wallBefore).TotalMilliseconds;
            Assert.IsTrue(monotonic >= wall - 100, "the monotonic clock counts the time the native handshake held every thread (" + monotonic.ToString() + " of " + wall.ToString() + " ms)");
            connection.Close();
        }

        [TestMethod]
        public static void ServerHandshakeWaitsForTheClientHelloWithoutStallingTheBoard()
        {
            // A client that connects and sends nothing: the handshake never starts, and other threads run meanwhile.
            Exception refused = ServerHandshakeAgainst(null, 2000);
            Assert.IsNotNull(refused, "a silent client is dropped");
            Assert.IsTrue(refused.Message.IndexOf("no TLS ClientHello") >= 0, refused.Message);
            Assert.IsTrue(_ticks >= 10, "a ticker thread ran during the wait (" + _ticks.ToString() + " ticks)");
        }

        [TestMethod]
        public static void ServerHandshakeRefusesPlaintextInsteadOfAClientHello()
        {
            Exception refused = ServerHandshakeAgainst("EHLO plaintext.example\r\n", 10000);
            Assert.IsNotNull(refused, "plaintext is not handed to mbedTLS");
            Assert.IsTrue(refused.Message.IndexOf("not a TLS ClientHello") >= 0, refused.Message);
        }

        [TestMethod]
        public static void ConnectGivesUpAtItsTimeout()
        {
            var endpoint = new Endpoint();
            Endpoint.TryParse(Unreachable, 25, endpoint);
            long started = Environment.TickCount64;
            Exception failed = null;
            try
            {
                _network.Connect(endpoint, 3000).Close();
            }
            catch (ConnectionException e)
            {
                failed = e;
            }

            long took = Environment.TickCount64 - started;
            Assert.IsNotNull(failed, "nothing answers at " + Unreachable);
            Assert.IsTrue(took < 4500, "the connect ended at its timeout, not after lwIP's SYN retries (" + took.ToString() + " ms)");
        }

        [TestMethod]
        public static void Ipv6EndpointsAreRefusedNotMangled()
        {
            // System.Net 1.11 would serialize an IPv6 endpoint as some IPv4 address.
            var endpoint = new Endpoint();
            Endpoint.TryParse("[2001:db8::25]:25", 25, endpoint);
            string message = null;
            try
            {
                _network.Connect(endpoint, 3000).Close();
            }
            catch (ConnectionException e)
            {
                message = e.Message;
            }

            Assert.IsTrue(message != null && message.IndexOf("IPv6 is not available") >= 0, "refused: " + message);
        }

        [TestMethod]
        public static void FlashMoveIsTheNativeRenameOrNothing()
        {
            var files = new FlashFileSystem("I:\\");
            Assert.IsTrue(files.CanRename, "System.IO.NativeIO.Move is there to call");
            IFileStore from = Empty(files, "devtest/tmp");
            IFileStore to = Empty(files, "devtest/new");
            IStoreFile file = from.Create("M1");
            file.Append(new byte[] { 1, 2, 3 }, 0, 3);
            file.Close();
            files.Move(from, "M1", to);
            Assert.AreEqual(0, from.List().Length);
            Assert.AreEqual(1, to.List().Length);

            file = from.Create("M1");
            file.Close();
            bool refused = false;
            try
            {
                files.Move(from, "M1", to);
            }
            catch (StoreException)
            {
                refused = true;
            }

            Assert.IsTrue(refused, "a move onto an existing name is refused, never a copy");
        }

        [TestMethod]
        public static void BadPemIsAConfigurationErrorNamingTheFile()
        {
            var files = new FlashFileSystem("I:\\");
            IFileStore store = Empty(files, "devtest");
            IStoreFile file = store.Create("bad.pem");
            byte[] garbage = Text.Ascii.GetBytes("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
            file.Append(garbage, 0, garbage.Length);
            file.Close();
            var config = new MainConfig(true);
            config.Set("smtp_tls_CAfile", "devtest/bad.pem", 7);
            string message = null;
            try
            {
                DeviceTls.From(config, files);
            }
            catch (ConfigException e)
            {
                message = e.Message;
            }

            Assert.IsTrue(message != null && message.IndexOf(":7: smtp_tls_CAfile: devtest/bad.pem is not PEM the firmware can use") >= 0, "refused: " + message);
        }

        [TestMethod]
        public static void NetworkLinkUsesEthernetWhenTheImageHasItAndIsUp()
        {
            System.Net.NetworkInformation.NetworkInterface[] all = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces();
            bool ethernet = false;
            for (int i = 0; i < all.Length; i++)
            {
                ethernet |= all[i].NetworkInterfaceType == System.Net.NetworkInformation.NetworkInterfaceType.Ethernet;
            }

            System.Net.NetworkInformation.NetworkInterface used = NetworkLink.Interface();
            Assert.IsNotNull(used);
            Assert.AreEqual(ethernet, used.NetworkInterfaceType == System.Net.NetworkInformation.NetworkInterfaceType.Ethernet, "Ethernet whenever the image has it");
            var link = new NetworkLink(new DebugLog());
            Assert.IsTrue(link.IsUp(), "the tests run with the network up");
            Assert.IsTrue(link.TryConnect(), "an attempt on an interface that is up succeeds at once");
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

        /// <summary>
        /// Runs a server handshake on our own listener while a client from the board connects and sends
        /// <paramref name="clientSends"/> (or nothing); returns how it was refused, or null when it went ahead.
        /// </summary>
        private static Exception ServerHandshakeAgainst(string clientSends, int timeoutMilliseconds)
        {
            var local = new Endpoint();
            Assert.IsTrue(Endpoint.TryParse(NetworkLink.Address(NetworkLink.Interface()) + ":0", 0, local), "the board has an address");
            var tls = new DeviceTls(new System.Security.Cryptography.X509Certificates.X509Certificate(), null, 1);
            IListener listener = new DeviceNetwork(tls, new DeviceRandom()).Listen(local);
            IConnection client = _network.Connect(listener.LocalEndpoint, 5000);
            IConnection server = listener.Accept(5000);
            if (clientSends != null)
            {
                Send(client, clientSends);
            }

            _ticks = 0;
            bool ticking = true;
            var ticker = new Thread(() =>
            {
                while (ticking)
                {
                    _ticks++;
                    Thread.Sleep(50);
                }
            });
            ticker.Start();
            Exception refused = null;
            try
            {
                server.StartTlsServer(timeoutMilliseconds);
            }
            catch (ConnectionException e)
            {
                refused = e;
            }

            ticking = false;
            ticker.Join();
            server.Close();
            client.Close();
            listener.Close();
            return refused;
        }

        private static IFileStore Empty(FlashFileSystem files, string path)
        {
            IFileStore store = files.OpenStore(path);
            string[] old = store.List();
            for (int i = 0; i < old.Length; i++)
            {
                store.Delete(old[i]);
            }

            return store;
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

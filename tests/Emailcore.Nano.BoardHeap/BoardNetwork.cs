using System.Collections;
using System.Threading;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Tests.Support;

namespace Emailcore.Nano.Tests
{
    /// <summary>
    /// The network of the heap probe: one listener fed by the probe, DNS answering every dN.example with an MX and
    /// an A record, next hops that refuse (192.0.2.1-200) and one that takes a message and stalls before its
    /// final reply (192.0.2.254), so the queue runner is caught in the middle of a delivery.
    /// </summary>
    public sealed class BoardNetwork : INetwork
    {
        public const string StallDomain = "d254.example";

        private readonly FakeDnsNetwork _dns = new FakeDnsNetwork(Answer);
        private readonly Listener _listener = new Listener();
        private readonly ManualResetEvent _gate;

        public BoardNetwork(ManualResetEvent gate)
        {
            _gate = gate;
            _dns.KeepQueries = false;
        }

        /// <summary>The delivery that stalls, once the runner has connected.</summary>
        public ScriptedConnection Stalled { get; private set; }

        public void Offer(IConnection connection)
        {
            _listener.Offer(connection);
        }

        public IConnection Connect(Endpoint remote, int timeoutMilliseconds)
        {
            if (remote.AddressByte(3) != 254)
            {
                throw new ConnectionException("connect to " + remote.ToString() + " refused");
            }

            var server = new ScriptedConnection()
                .Then("220 mx.d254.example ESMTP\r\n").Then("250 mx.d254.example\r\n").Then("250 2.1.0 Ok\r\n")
                .Then("250 2.1.5 Ok\r\n").Then("354 go ahead\r\n").ThenWait(_gate).Then("250 2.0.0 Ok\r\n").Then("221 2.0.0 Bye\r\n");
            Stalled = server;
            return server;
        }

        public IListener Listen(Endpoint local)
        {
            return _listener;
        }

        public IDatagramSocket OpenDatagram(Endpoint family)
        {
            return _dns.OpenDatagram(family);
        }

        public Endpoint[] SystemDnsServers()
        {
            return new Endpoint[] { FakeDnsNetwork.At("192.0.2.53") };
        }

        private static FakeReply[] Answer(FakeQuery q)
        {
            // dN.example: MX 10 mx.dN.example; mx.dN.example: A 192.0.2.N.
            string name = q.Name;
            bool mx = name.StartsWith("d");
            string number = mx ? name.Substring(1, name.IndexOf('.') - 1) : name.Substring(4, name.IndexOf('.', 4) - 4);
            DnsPacket packet = DnsPacket.Response(q.Id, name, q.Type, 1);
            if (q.Type == RecordType.Mx)
            {
                packet.MxRecord(name, 10, "mx." + name, 3600);
            }
            else if (q.Type == RecordType.A)
            {
                packet.ARecord(name, "192.0.2." + number, 3600);
            }
            else
            {
                packet = DnsPacket.Response(q.Id, name, q.Type, 0);
            }

            return FakeDnsNetwork.From(q, packet.ToArray());
        }

        private sealed class Listener : IListener
        {
            private readonly ArrayList _waiting = new ArrayList();
            private readonly AutoResetEvent _arrived = new AutoResetEvent(false);
            private readonly Endpoint _local = FakeDnsNetwork.At("0.0.0.0:25");

            public Endpoint LocalEndpoint
            {
                get { return _local; }
            }

            public void Offer(IConnection connection)
            {
                lock (_waiting)
                {
                    _waiting.Add(connection);
                }

                _arrived.Set();
            }

            public IConnection Accept(int timeoutMilliseconds)
            {
                _arrived.WaitOne(timeoutMilliseconds, false);
                lock (_waiting)
                {
                    if (_waiting.Count == 0)
                    {
                        return null;
                    }

                    var next = (IConnection)_waiting[0];
                    _waiting.RemoveAt(0);
                    if (_waiting.Count > 0)
                    {
                        _arrived.Set();
                    }

                    return next;
                }
            }

            public void Close()
            {
            }
        }
    }
}

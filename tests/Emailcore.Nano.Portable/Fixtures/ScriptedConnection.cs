#nullable disable
using System;
using System.Collections;
using System.Threading;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>
    /// Fault injection for the wire layer: a connection that delivers prepared input in chosen pieces
    /// (a byte at a time, a line at a time, all at once), times out or waits on request, and records what was
    /// written. mscorlib only: the same fixture serves xunit and the interpreter.
    /// </summary>
    public sealed class ScriptedConnection : IConnection
    {
        private static readonly object TimeoutMark = new object();

        private readonly ArrayList _reads = new ArrayList();
        private readonly ByteBuffer _written;
        private readonly Endpoint _local = Parse("127.0.0.1:25");
        private Endpoint _remote = Parse("127.0.0.1:40000");

        /// <summary>Runs inside StartTlsServer; it throws to fail the handshake.</summary>
        public delegate void HandshakeHook();

        public ScriptedConnection()
            : this(64)
        {
        }

        /// <summary>Room for <paramref name="writtenCapacity"/> written bytes up front, so writing allocates nothing (out-of-memory tests).</summary>
        public ScriptedConnection(int writtenCapacity)
        {
            _written = new ByteBuffer(writtenCapacity);
        }

        /// <summary>Queues bytes for the next reads; a read never returns more than one piece.</summary>
        public ScriptedConnection Then(byte[] piece)
        {
            _reads.Add(piece);
            return this;
        }

        /// <summary>Queues the UTF-8 bytes of the text.</summary>
        public ScriptedConnection Then(string text)
        {
            return Then(Utf8.GetBytes(text));
        }

        /// <summary>Queues a read that times out.</summary>
        public ScriptedConnection ThenTimeout()
        {
            _reads.Add(TimeoutMark);
            return this;
        }

        /// <summary>Queues a read that waits until <paramref name="gate"/> is set, then goes on with the next piece.</summary>
        public ScriptedConnection ThenWait(WaitHandle gate)
        {
            _reads.Add(gate);
            return this;
        }

        /// <summary>Queues the input cut into pieces of <paramref name="size"/> bytes.</summary>
        public ScriptedConnection ThenInPieces(string text, int size)
        {
            byte[] all = Utf8.GetBytes(text);
            for (int i = 0; i < all.Length; i += size)
            {
                int n = Numbers.Min(size, all.Length - i);
                var piece = new byte[n];
                Array.Copy(all, i, piece, 0, n);
                Then(piece);
            }

            return this;
        }

        public byte[] Written
        {
            get { return _written.ToArray(); }
        }

        public string WrittenText
        {
            get { return _written.Text; }
        }

        public int Writes { get; private set; }

        /// <summary>True while a read waits at a <see cref="ThenWait"/>.</summary>
        public bool Waiting { get; private set; }

        /// <summary>Set when <see cref="Close"/> was called.</summary>
        public bool Closed { get; private set; }

        public string TlsProtocol { get; private set; }

        public Endpoint LocalEndpoint
        {
            get { return _local; }
        }

        public Endpoint RemoteEndpoint
        {
            get { return _remote; }
            set { _remote = value; }
        }

        /// <summary>Called inside StartTlsServer (throw to fail the handshake); the protocol is set only if it returns.</summary>
        public HandshakeHook OnServerHandshake { get; set; }

        public int Read(byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            while (_reads.Count > 0 && _reads[0] is WaitHandle)
            {
                WaitHandle gate = (WaitHandle)_reads[0];
                _reads.RemoveAt(0);
                Waiting = true;
                gate.WaitOne();
                Waiting = false;
            }

            if (_reads.Count == 0)
            {
                return 0;
            }

            object next = _reads[0];
            _reads.RemoveAt(0);
            if (next == TimeoutMark)
            {
                return Connection.TimedOut;
            }

            byte[] piece = (byte[])next;
            int n = Numbers.Min(count, piece.Length);
            Array.Copy(piece, 0, buffer, offset, n);
            if (n < piece.Length)
            {
                var rest = new byte[piece.Length - n];
                Array.Copy(piece, n, rest, 0, rest.Length);
                _reads.Insert(0, rest);
            }

            return n;
        }

        public void Write(byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            Writes++;
            _written.Append(buffer, offset, count);
        }

        public void StartTlsClient(string serverName, bool verify, TlsaRecords dane, int timeoutMilliseconds)
        {
            TlsProtocol = "TLSv1.3";
        }

        public void StartTlsServer(int timeoutMilliseconds)
        {
            if (OnServerHandshake != null)
            {
                OnServerHandshake();
            }

            TlsProtocol = "TLSv1.3";
        }

        public void Close()
        {
            Closed = true;
        }

        public static Endpoint Parse(string text)
        {
            var endpoint = new Endpoint();
            Endpoint.TryParse(text, 0, endpoint);
            return endpoint;
        }
    }
}

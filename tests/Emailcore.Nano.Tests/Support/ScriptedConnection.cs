using System;
using System.Collections.Generic;
using System.IO;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>
    /// Fault injection for the wire layer: a connection that delivers prepared input in chosen pieces
    /// (a byte at a time, a line at a time, all at once), times out on request, and records what was written.
    /// </summary>
    public sealed class ScriptedConnection : IConnection
    {
        private readonly Queue<byte[]?> _reads = new();
        private readonly MemoryStream _written = new();

        /// <summary>Queues bytes for the next reads; a read never returns more than one piece.</summary>
        public ScriptedConnection Then(byte[] piece)
        {
            _reads.Enqueue(piece);
            return this;
        }

        public ScriptedConnection Then(string ascii) => Then(System.Text.Encoding.ASCII.GetBytes(ascii));

        /// <summary>Queues a read that times out.</summary>
        public ScriptedConnection ThenTimeout()
        {
            _reads.Enqueue(null);
            return this;
        }

        /// <summary>Queues the input cut into pieces of <paramref name="size"/> bytes.</summary>
        public ScriptedConnection ThenInPieces(string ascii, int size)
        {
            byte[] all = System.Text.Encoding.ASCII.GetBytes(ascii);
            for (int i = 0; i < all.Length; i += size)
            {
                Then(all.AsSpan(i, Math.Min(size, all.Length - i)).ToArray());
            }

            return this;
        }

        public byte[] Written => _written.ToArray();

        public string WrittenText => System.Text.Encoding.UTF8.GetString(Written);

        public int Writes { get; private set; }

        public string? TlsProtocol { get; private set; }

        public Endpoint LocalEndpoint { get; } = Parse("127.0.0.1:25");

        public Endpoint RemoteEndpoint { get; set; } = Parse("127.0.0.1:40000");

        /// <summary>Runs inside StartTlsServer (throw to fail the handshake); the protocol is set only if it returns.</summary>
        public Action? OnServerHandshake { get; set; }

        public int Read(byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            if (_reads.Count == 0)
            {
                return 0;
            }

            byte[]? piece = _reads.Peek();
            if (piece == null)
            {
                _reads.Dequeue();
                return Connection.TimedOut;
            }

            int n = Math.Min(count, piece.Length);
            Array.Copy(piece, 0, buffer, offset, n);
            _reads.Dequeue();
            if (n < piece.Length)
            {
                var rest = new Queue<byte[]?>();
                rest.Enqueue(piece.AsSpan(n).ToArray());
                while (_reads.Count > 0)
                {
                    rest.Enqueue(_reads.Dequeue());
                }

                while (rest.Count > 0)
                {
                    _reads.Enqueue(rest.Dequeue());
                }
            }

            return n;
        }

        public void Write(byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            Writes++;
            _written.Write(buffer, offset, count);
        }

        public void StartTlsClient(string serverName, bool verify, int timeoutMilliseconds) => TlsProtocol = "TLSv1.3";

        public void StartTlsServer(int timeoutMilliseconds)
        {
            OnServerHandshake?.Invoke();
            TlsProtocol = "TLSv1.3";
        }

        public void Close()
        {
        }

        public static Endpoint Parse(string text)
        {
            var endpoint = new Endpoint();
            Endpoint.TryParse(text, 0, endpoint);
            return endpoint;
        }
    }
}

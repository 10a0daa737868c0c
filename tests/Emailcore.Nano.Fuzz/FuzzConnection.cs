using System;
using System.IO;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Fuzz
{
    /// <summary>
    /// The peer's bytes from the fuzz input, handed out in pieces whose sizes the input's first byte chooses
    /// (1 to 64, or all at once for 0), so every fragmentation is reached; when the bytes run out the peer is silent
    /// once (a timeout) and then closes. Writes are kept for the targets' checks.
    /// </summary>
    internal sealed class FuzzConnection : IConnection
    {
        private readonly byte[] _input;
        private readonly int _piece;
        private int _next;
        private bool _timedOut;

        public FuzzConnection(byte[] input)
        {
            _input = input;
            _piece = input.Length == 0 || input[0] % 65 == 0 ? int.MaxValue : input[0] % 65;
            _next = input.Length == 0 ? 0 : 1;
        }

        public MemoryStream Written { get; } = new();

        public string? TlsProtocol { get; private set; }

        public Endpoint LocalEndpoint { get; } = At("192.0.2.1:25");

        public Endpoint RemoteEndpoint { get; } = At("198.51.100.7:40000");

        public int Read(byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            if (timeoutMilliseconds <= 0)
            {
                throw new InvalidOperationException("a read was asked to wait " + timeoutMilliseconds + " ms");
            }

            if (_next >= _input.Length)
            {
                if (_timedOut)
                {
                    return 0;
                }

                _timedOut = true;
                return Connection.TimedOut;
            }

            int n = Math.Min(Math.Min(count, _piece), _input.Length - _next);
            Array.Copy(_input, _next, buffer, offset, n);
            _next += n;
            return n;
        }

        public void Write(byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            if (timeoutMilliseconds <= 0)
            {
                throw new InvalidOperationException("a write was asked to wait " + timeoutMilliseconds + " ms");
            }

            Written.Write(buffer, offset, count);
        }

        public void StartTlsClient(string serverName, bool verify, TlsaRecords? dane, int timeoutMilliseconds) => TlsProtocol = "TLSv1.3";

        public void StartTlsServer(int timeoutMilliseconds) => TlsProtocol = "TLSv1.3";

        public void Close()
        {
        }

        private static Endpoint At(string text)
        {
            var endpoint = new Endpoint();
            Endpoint.TryParse(text, 0, endpoint);
            return endpoint;
        }
    }
}

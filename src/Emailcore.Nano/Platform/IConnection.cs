namespace Emailcore.Nano.Platform
{
    /// <summary>
    /// A byte stream to one peer: a TCP connection, possibly upgraded to TLS. Synchronous, with timeouts,
    /// because nanoFramework has threads but no async.
    /// </summary>
    public interface IConnection
    {
        /// <summary>
        /// Reads at most <paramref name="count"/> bytes into the caller's buffer. Returns the number read,
        /// 0 when the peer closed the stream, or <see cref="Connection.TimedOut"/> when nothing arrived in time.
        /// Throws <see cref="ConnectionException"/> on a reset or a failed TLS record.
        /// </summary>
        int Read(byte[] buffer, int offset, int count, int timeoutMilliseconds);

        /// <summary>Writes all bytes or throws <see cref="ConnectionException"/>.</summary>
        void Write(byte[] buffer, int offset, int count, int timeoutMilliseconds);

        /// <summary>
        /// Runs the TLS client handshake on this connection (STARTTLS or implicit TLS).
        /// <paramref name="serverName"/> goes into SNI; with <paramref name="verify"/> the chain must lead to a
        /// configured root and the certificate must match <paramref name="serverName"/>. With <paramref name="dane"/> the
        /// server's chain must match one of those TLSA records instead (RFC 7672 §3), whatever <paramref name="verify"/> says.
        /// Throws <see cref="ConnectionException"/> when the handshake or the verification fails.
        /// </summary>
        void StartTlsClient(string serverName, bool verify, TlsaRecords dane, int timeoutMilliseconds);

        /// <summary>Runs the TLS server handshake with the listener's certificate; never asks for a client certificate.</summary>
        void StartTlsServer(int timeoutMilliseconds);

        /// <summary>The negotiated protocol ("TLSv1.3"), or null while the connection is in plaintext.</summary>
        string TlsProtocol { get; }

        Endpoint LocalEndpoint { get; }

        Endpoint RemoteEndpoint { get; }

        void Close();
    }

    /// <summary>Constants that go with <see cref="IConnection"/>.</summary>
    public static class Connection
    {
        public const int TimedOut = -1;
    }
}

using System;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Host.Platform
{
    /// <summary>A TCP connection through .NET sockets, upgradable to TLS with SslStream.</summary>
    public sealed class TcpConnection : IConnection
    {
        private readonly Socket _socket;
        private readonly TlsSettings _tls;
        private Stream _stream;
        private SslStream? _ssl;

        public TcpConnection(Socket socket, TlsSettings tls)
        {
            _socket = socket;
            _tls = tls;
            _socket.NoDelay = true;
            _stream = new NetworkStream(socket, ownsSocket: true);
            LocalEndpoint = ((System.Net.IPEndPoint)socket.LocalEndPoint!).ToEndpoint();
            RemoteEndpoint = ((System.Net.IPEndPoint)socket.RemoteEndPoint!).ToEndpoint();
        }

        public string? TlsProtocol { get; private set; }

        public Endpoint LocalEndpoint { get; }

        public Endpoint RemoteEndpoint { get; }

        public int Read(byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            try
            {
                if (_ssl == null)
                {
                    // Poll first so a timeout leaves the plaintext stream usable.
                    if (!_socket.Poll(PollTime.Microseconds(timeoutMilliseconds), SelectMode.SelectRead))
                    {
                        return Connection.TimedOut;
                    }

                    return _socket.Receive(buffer, offset, count, SocketFlags.None);
                }

                _stream.ReadTimeout = timeoutMilliseconds;
                return _stream.Read(buffer, offset, count);
            }
            catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut })
            {
                return Connection.TimedOut;
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                throw new ConnectionException("read failed: " + e.Message, e);
            }
        }

        public void Write(byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            try
            {
                _stream.WriteTimeout = timeoutMilliseconds;
                _stream.Write(buffer, offset, count);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                throw new ConnectionException("write failed: " + e.Message, e);
            }
        }

        public void StartTlsClient(string serverName, bool verify, TlsaRecords? dane, int timeoutMilliseconds)
        {
            string? refusal = null;
            var ssl = new SslStream(_stream, leaveInnerStreamOpen: false, (_, certificate, chain, errors) =>
            {
                if (dane == null)
                {
                    return !verify || _tls.Verify(certificate, chain, errors);
                }

                refusal = DaneMatch.Problem(dane, certificate, chain, errors);
                return refusal == null;
            });
            Handshake(ssl, timeoutMilliseconds, () => refusal, expiry => ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = serverName,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }, expiry));
        }

        public void StartTlsServer(int timeoutMilliseconds)
        {
            X509Certificate2 certificate = _tls.ServerCertificate ?? throw new ConnectionException("no server certificate configured");
            var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
            Handshake(ssl, timeoutMilliseconds, () => null, expiry => ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                ClientCertificateRequired = false,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }, expiry));
        }

        public void Close()
        {
            try
            {
                _stream.Dispose();
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // A peer that already went away is closed enough.
            }
        }

        /// <summary>
        /// The timeout is for the whole handshake, not for each read: a peer trickling its hello cannot stretch it.
        /// <paramref name="refusal"/> says why the validation callback refused the peer, if it said.
        /// </summary>
        private void Handshake(SslStream ssl, int timeoutMilliseconds, Func<string?> refusal, Func<CancellationToken, Task> authenticate)
        {
            using var expiry = new CancellationTokenSource(timeoutMilliseconds);
            try
            {
                authenticate(expiry.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException e)
            {
                throw new ConnectionException("TLS handshake timed out after " + timeoutMilliseconds + " ms", e);
            }
            catch (Exception e) when (e is AuthenticationException or IOException or SocketException or ObjectDisposedException)
            {
                throw new ConnectionException("TLS handshake failed: " + (refusal() ?? e.InnerException?.Message ?? e.Message), e);
            }

            _ssl = ssl;
            _stream = ssl;
            TlsProtocol = ssl.SslProtocol switch
            {
                SslProtocols.Tls13 => "TLSv1.3",
                SslProtocols.Tls12 => "TLSv1.2",
                _ => ssl.SslProtocol.ToString(),
            };
        }
    }
}

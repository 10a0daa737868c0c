using System;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Device.Platform
{
    /// <summary>
    /// A TCP connection over nanoFramework's Socket, upgraded to TLS by SslStream (the firmware's mbedTLS).
    /// Plaintext reads wait with Poll, so a timeout leaves the socket usable; TLS reads use ReceiveTimeout,
    /// which nanoFramework reports as SocketException 10060.
    /// </summary>
    public sealed class DeviceConnection : IConnection
    {
        private const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

        private readonly Socket _socket;
        private readonly DeviceTls _tls;
        private SslStream _ssl;

        public DeviceConnection(Socket socket, DeviceTls tls)
        {
            _socket = socket;
            _tls = tls;
            LocalEndpoint = DeviceNetwork.ToEndpoint((IPEndPoint)socket.LocalEndPoint);
            RemoteEndpoint = DeviceNetwork.ToEndpoint((IPEndPoint)socket.RemoteEndPoint);
        }

        public string TlsProtocol { get; private set; }

        public Endpoint LocalEndpoint { get; }

        public Endpoint RemoteEndpoint { get; }

        public int Read(byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            try
            {
                if (_ssl == null)
                {
                    if (!_socket.Poll(Microseconds(timeoutMilliseconds), SelectMode.SelectRead))
                    {
                        return Connection.TimedOut;
                    }

                    return _socket.Receive(buffer, offset, count, SocketFlags.None);
                }

                _socket.ReceiveTimeout = timeoutMilliseconds;
                return _ssl.Read(buffer, offset, count);
            }
            catch (SocketException e)
            {
                if (e.ErrorCode == (int)SocketError.TimedOut)
                {
                    return Connection.TimedOut;
                }

                throw new ConnectionException("read failed: socket error " + e.ErrorCode.ToString(), e);
            }
            catch (Exception e)
            {
                throw new ConnectionException("read failed: " + e.Message, e);
            }
        }

        public void Write(byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            try
            {
                _socket.SendTimeout = timeoutMilliseconds;
                if (_ssl == null)
                {
                    _socket.Send(buffer, offset, count, SocketFlags.None);
                }
                else
                {
                    _ssl.Write(buffer, offset, count);
                }
            }
            catch (Exception e)
            {
                throw new ConnectionException("write failed: " + e.Message, e);
            }
        }

        /// <summary>
        /// SslVerification.CertificateRequired is the only value that makes mbedTLS verify (platform doc §2);
        /// the roots are the device store plus smtp_tls_CAfile. The handshake runs in native code: the socket's
        /// receive timeout is set first, but whether it bounds a stalled handshake is still to be checked on a board.
        /// </summary>
        public void StartTlsClient(string serverName, bool verify, int timeoutMilliseconds)
        {
            Handshake(timeoutMilliseconds, true, serverName, verify);
        }

        /// <summary>The 3-argument AuthenticateAsServer with clientCertificateRequired false: never demand a client certificate.</summary>
        public void StartTlsServer(int timeoutMilliseconds)
        {
            if (_tls.ServerCertificate == null)
            {
                throw new ConnectionException("no server certificate configured");
            }

            Handshake(timeoutMilliseconds, false, null, false);
        }

        public void Close()
        {
            try
            {
                if (_ssl != null)
                {
                    _ssl.Close();
                    _ssl = null;
                    _tls.Closed();
                }
                else
                {
                    _socket.Close();
                }
            }
            catch (Exception)
            {
                // A peer that already went away is closed enough.
            }
        }

        private void Handshake(int timeoutMilliseconds, bool client, string serverName, bool verify)
        {
            if (!_tls.TryOpen())
            {
                throw new ConnectionException("TLS session limit reached (tls_session_limit); try again later");
            }

            _socket.ReceiveTimeout = timeoutMilliseconds;
            _socket.SendTimeout = timeoutMilliseconds;
            var ssl = new SslStream(_socket);
            try
            {
                if (client)
                {
                    ssl.SslVerification = verify ? SslVerification.CertificateRequired : SslVerification.NoVerification;
                    if (_tls.TrustedRoots != null)
                    {
                        ssl.AuthenticateAsClient(serverName, null, _tls.TrustedRoots, Protocols);
                    }
                    else
                    {
                        ssl.AuthenticateAsClient(serverName, Protocols);
                    }
                }
                else
                {
                    ssl.AuthenticateAsServer(_tls.ServerCertificate, false, Protocols);
                }
            }
            catch (Exception e)
            {
                _tls.Closed();

                // Newer firmware throws CryptographicException, older SocketException (platform doc §2).
                throw new ConnectionException("TLS handshake failed: " + e.Message, e);
            }

            _ssl = ssl;

            // nanoFramework's SslStream does not say which version was agreed; 1.2 is the floor it enforces.
            TlsProtocol = "TLSv1.2+";
        }

        internal static int Microseconds(int milliseconds)
        {
            return milliseconds >= int.MaxValue / 1000 ? -1 : milliseconds * 1000;
        }
    }

    /// <summary>
    /// The TLS material of the board, the server certificate (smtpd_tls_cert_file/key_file) and extra roots
    /// (smtp_tls_CAfile), and the count of open sessions: mbedTLS takes about 33 KB of native heap per session,
    /// so tls_session_limit (1 without PSRAM) refuses a handshake beyond it instead of failing in the firmware.
    /// </summary>
    public sealed class DeviceTls
    {
        private readonly object _gate = new object();
        private readonly int _limit;
        private int _open;

        public DeviceTls(X509Certificate serverCertificate, X509Certificate trustedRoots, int sessionLimit)
        {
            ServerCertificate = serverCertificate;
            TrustedRoots = trustedRoots;
            _limit = sessionLimit;
        }

        public X509Certificate ServerCertificate { get; }

        public X509Certificate TrustedRoots { get; }

        /// <summary>Claims a session slot; false when tls_session_limit sessions are open.</summary>
        public bool TryOpen()
        {
            lock (_gate)
            {
                if (_limit > 0 && _open >= _limit)
                {
                    return false;
                }

                _open++;
                return true;
            }
        }

        public void Closed()
        {
            lock (_gate)
            {
                _open--;
            }
        }
    }
}

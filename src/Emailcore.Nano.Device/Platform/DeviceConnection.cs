using System;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading;
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

        // lwIP's receive window on the ESP32 (CONFIG_LWIP_TCP_WND_DEFAULT 5744) holds any usual ClientHello; a
        // longer first record is started on this much, so a large one cannot make us wait for bytes that never fit.
        private const int FirstFlightWindow = 4096;

        private const int FirstFlightPollMilliseconds = 20;

        private readonly Socket _socket;
        private readonly DeviceTls _tls;
        private readonly byte[] _peek = new byte[TlsClientHello.PeekLength];
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

                // The property is System.Net's managed timeout, the one SslStream.Read passes to the native read.
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
        /// the roots are the device store plus smtp_tls_CAfile. The client speaks first, so nothing can be awaited
        /// before the native handshake: an upstream that stalls inside it stalls the board for as long as each of
        /// its reads may block (the native receive timeout set in <see cref="Handshake"/>). DANE is refused: System.Net's
        /// SslStream (1.11) gives the managed side neither the server's certificate nor a validation callback, so no
        /// TLSA record could be matched (config check --board refuses the settings that ask for it).
        /// </summary>
        public void StartTlsClient(string serverName, bool verify, TlsaRecords dane, int timeoutMilliseconds)
        {
            if (dane != null)
            {
                throw new ConnectionException("DANE needs the server's certificate, which this board's TLS binding does not expose");
            }

            Handshake(timeoutMilliseconds, true, serverName, verify);
        }

        /// <summary>
        /// The 3-argument AuthenticateAsServer with clientCertificateRequired false: never demand a client certificate.
        /// The native handshake starts only once the client's whole ClientHello is here (<see cref="AwaitClientHello"/>).
        /// </summary>
        public void StartTlsServer(int timeoutMilliseconds)
        {
            if (_tls.ServerCertificate == null)
            {
                throw new ConnectionException("no server certificate configured");
            }

            AwaitClientHello(timeoutMilliseconds);
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

        internal static int Microseconds(int milliseconds)
        {
            return milliseconds >= int.MaxValue / 1000 ? -1 : milliseconds * 1000;
        }

        /// <summary>
        /// mbedTLS runs the whole handshake in one native call that blocks every managed thread, so it must not wait
        /// there for a client that sends nothing: the ClientHello record is awaited here, with managed waits that let
        /// the other threads run, and a connection without one in time (or that sends anything else) is refused.
        /// </summary>
        private void AwaitClientHello(int timeoutMilliseconds)
        {
            long deadline = Environment.TickCount64 + timeoutMilliseconds;
            int needed = TlsClientHello.PeekLength;
            bool known = false;
            try
            {
                if (!_socket.Poll(Microseconds(timeoutMilliseconds), SelectMode.SelectRead))
                {
                    throw new ConnectionException("no TLS ClientHello within " + timeoutMilliseconds.ToString() + " ms; handshake not started");
                }

                if (_socket.Available == 0)
                {
                    // Readable with nothing to read: the client closed.
                    throw new ConnectionException("the client closed before its TLS ClientHello");
                }

                while (true)
                {
                    int available = _socket.Available;
                    if (!known && available >= TlsClientHello.PeekLength)
                    {
                        _socket.Receive(_peek, 0, _peek.Length, SocketFlags.Peek);
                        int record = TlsClientHello.RecordLength(_peek, 0);
                        if (record < 0)
                        {
                            throw new ConnectionException("the client's first bytes are not a TLS ClientHello; handshake not started");
                        }

                        needed = record < FirstFlightWindow ? record : FirstFlightWindow;
                        known = true;
                    }

                    if (known && available >= needed)
                    {
                        return;
                    }

                    if (Environment.TickCount64 >= deadline)
                    {
                        throw new ConnectionException("TLS ClientHello incomplete after " + timeoutMilliseconds.ToString() + " ms (" + available.ToString() + " of " + needed.ToString() + " bytes); handshake not started");
                    }

                    Thread.Sleep(FirstFlightPollMilliseconds);
                }
            }
            catch (SocketException e)
            {
                throw new ConnectionException("waiting for the TLS ClientHello failed: socket error " + e.ErrorCode.ToString(), e);
            }
        }

        /// <summary>
        /// Before the blocking native handshake the socket's native timeouts are set (SetSocketOption reaches lwIP's
        /// SO_RCVTIMEO/SO_SNDTIMEO; the ReceiveTimeout property does not), so each read inside it gives up after
        /// <paramref name="timeoutMilliseconds"/> [to be confirmed on a board]. A handshake that ends after its
        /// deadline all the same counts as failed: the peer held the board up, and a delivery attempt is retried later.
        /// </summary>
        private void Handshake(int timeoutMilliseconds, bool client, string serverName, bool verify)
        {
            if (!_tls.TryOpen())
            {
                throw new ConnectionException("TLS session limit reached (tls_session_limit); try again later");
            }

            var ssl = new SslStream(_socket);
            long started = Environment.TickCount64;
            try
            {
                _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReceiveTimeout, timeoutMilliseconds);
                _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.SendTimeout, timeoutMilliseconds);
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

            long took = Environment.TickCount64 - started;
            _ssl = ssl;
            if (took > timeoutMilliseconds)
            {
                Close();
                throw new ConnectionException("TLS handshake took " + took.ToString() + " ms, more than the " + timeoutMilliseconds.ToString() + " ms allowed");
            }

            // nanoFramework's SslStream does not say which version was agreed; 1.2 is the floor it enforces.
            TlsProtocol = "TLSv1.2+";
        }
    }
}

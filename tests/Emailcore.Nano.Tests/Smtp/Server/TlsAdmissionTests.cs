using System;
using System.Text;
using Emailcore.Nano.Config;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Tests.Portable;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Smtp.Server
{
    /// <summary>
    /// Server TLS admission (a board's handshake blocks every thread): one handshake at a time, 454 4.7.0 for a
    /// second STARTTLS (RFC 3207 §4), /smtps waiting its turn or closed, and TLS only for smtpd_tls_networks.
    /// </summary>
    public sealed class TlsAdmissionTests
    {
        private readonly ListLog _log = new();
        private readonly ManualClock _clock = new();
        private readonly TlsAdmission _admission = new(new[] { AddressRange.Parse("127.0.0.0/8")! }, 1);

        [Fact]
        public void SecondStartTlsWhileAHandshakeRunsGets454AndTheSessionGoesOnInPlaintext()
        {
            Assert.True(_admission.TryEnter(), "another session's handshake is running");
            ScriptedConnection c = Session("EHLO c.example\r\nSTARTTLS\r\nMAIL FROM:<a@c.example>\r\nQUIT\r\n");
            Assert.Contains("250-STARTTLS\r\n", c.WrittenText);
            Assert.Contains("454 4.7.0 TLS not available due to temporary reason\r\n", c.WrittenText);
            Assert.Contains("250 2.1.0 Ok\r\n", c.WrittenText);
            Assert.Null(c.TlsProtocol);
            Assert.Contains("STARTTLS from unknown[127.0.0.1] deferred: smtpd_tls_handshake_limit handshake(s) already running", _log.All);

            _admission.Leave();
            c = Session("EHLO c.example\r\nSTARTTLS\r\n");
            Assert.Contains("220 2.0.0 Ready to start TLS\r\n", c.WrittenText);
            Assert.Equal("TLSv1.3", c.TlsProtocol);
            Assert.Equal(0, _admission.Running);
        }

        [Fact]
        public void TheTurnIsHeldDuringTheHandshakeAndGivenBackWhenItFails()
        {
            int during = -1;
            ScriptedConnection c = Session("EHLO c.example\r\nSTARTTLS\r\n", connection => connection.OnServerHandshake = () =>
            {
                during = _admission.Running;
                throw new ConnectionException("no TLS ClientHello within 10000 ms; handshake not started");
            });
            Assert.Equal(1, during);
            Assert.Equal(0, _admission.Running);
            Assert.Contains("220 2.0.0 Ready to start TLS\r\n", c.WrittenText);
            Assert.Contains("lost connection after STARTTLS from unknown[127.0.0.1]: no TLS ClientHello", _log.All);
        }

        [Fact]
        public void SmtpsWaitsForItsTurnUpToTheHandshakeTimeoutThenIsClosedWithoutAGreeting()
        {
            Assert.True(_admission.TryEnter());
            ScriptedConnection c = Session("EHLO c.example\r\n", mode: ListenMode.Smtps);
            Assert.Equal("", c.WrittenText);
            Assert.Null(c.TlsProtocol);
            Assert.InRange(_clock.Slept, 10000, 10100);
            Assert.Contains("implicit TLS refused to unknown[127.0.0.1]: smtpd_tls_handshake_limit reached", _log.All);

            _admission.Leave();
            c = Session("EHLO c.example\r\nQUIT\r\n", mode: ListenMode.Smtps);
            Assert.StartsWith("220 ", c.WrittenText);
            Assert.Equal("TLSv1.3", c.TlsProtocol);
            Assert.Equal(0, _admission.Running);
        }

        [Fact]
        public void ClientsOutsideSmtpdTlsNetworksAreNeverOfferedTls()
        {
            bool handshake = false;
            ScriptedConnection c = Session("EHLO c.example\r\nSTARTTLS\r\nQUIT\r\n", connection =>
            {
                connection.RemoteEndpoint = ScriptedConnection.Parse("192.0.2.9:40000");
                connection.OnServerHandshake = () => handshake = true;
            });
            Assert.DoesNotContain("STARTTLS", c.WrittenText);
            Assert.Contains("502 5.5.1 Error: command not implemented\r\n", c.WrittenText);

            c = Session("EHLO c.example\r\n", connection =>
            {
                connection.RemoteEndpoint = ScriptedConnection.Parse("192.0.2.9:40000");
                connection.OnServerHandshake = () => handshake = true;
            }, ListenMode.Smtps);
            Assert.Equal("", c.WrittenText);
            Assert.False(handshake);
            Assert.Contains("implicit TLS refused to unknown[192.0.2.9]: not in smtpd_tls_networks", _log.All);
        }

        [Fact]
        public void BoardDefaultsAdmitOneHandshakeForMynetworksAndTheHostsAnyNumberForAnyone()
        {
            var board = new MainConfig(board: true);
            board.Set("mynetworks", "192.168.1.0/24", 1);
            TlsAdmission onBoard = TlsAdmission.From(board);
            Assert.True(onBoard.Offers(ScriptedConnection.Parse("192.168.1.20:1")));
            Assert.False(onBoard.Offers(ScriptedConnection.Parse("203.0.113.5:1")));
            Assert.True(onBoard.TryEnter());
            Assert.False(onBoard.TryEnter());

            TlsAdmission onHost = TlsAdmission.From(new MainConfig(board: false));
            Assert.True(onHost.Offers(ScriptedConnection.Parse("203.0.113.5:1")));
            Assert.True(onHost.Offers(ScriptedConnection.Parse("[2001:db8::5]:1")));
            for (int i = 0; i < 100; i++)
            {
                Assert.True(onHost.TryEnter());
            }
        }

        private ScriptedConnection Session(string input, Action<ScriptedConnection>? prepare = null, ListenMode mode = ListenMode.Smtp)
        {
            var connection = new ScriptedConnection().Then(Encoding.ASCII.GetBytes(input));
            prepare?.Invoke(connection);
            ServerSettings settings = SessionCases.Settings(s =>
            {
                s.TlsOffered = true;
                s.TlsAdmission = _admission;
                s.TlsHandshakeMilliseconds = 10000;
            });
            new SmtpSession(settings, new MemoryMessageStore().CreateSink(), _clock, _log).Run(connection, mode);
            return connection;
        }
    }
}

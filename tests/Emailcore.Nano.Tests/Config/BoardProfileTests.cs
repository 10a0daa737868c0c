using System.Text;
using Emailcore.Nano.Config;
using Xunit;

namespace Emailcore.Nano.Tests.Config
{
    /// <summary>The rules between parameters: inet_protocols = ipv4 (host or board), and what a board's firmware cannot do.</summary>
    public sealed class BoardProfileTests
    {
        [Theory]
        [InlineData("smtpd_listen = 0.0.0.0:25, [::]:587/submission", "smtpd_listen: \"[::]:587/submission\" is an IPv6 address")]
        [InlineData("relayhost = [2001:db8::25]:587", "relayhost: \"[2001:db8::25]:587\" is an IPv6 address")]
        [InlineData("transport_maps = example.com [192.0.2.1], example.org [2001:db8::1]:25", "transport_maps: \"[2001:db8::1]:25\" is an IPv6 address")]
        [InlineData("dns_servers = 192.0.2.53 [2001:db8::53]:53", "dns_servers: \"[2001:db8::53]:53\" is an IPv6 address")]
        public void Ipv4OnlyRefusesIpv6SettingsAtTheirLine(string setting, string message)
        {
            ConfigException e = Assert.Throws<ConfigException>(() => Parse("# board\nmyhostname = relay.example.com\n" + setting + "\n", board: true));
            Assert.Equal("main.cf:3: " + message + ", but inet_protocols = ipv4 (a board's System.Net carries IPv4 only)", e.Message);

            // The host refuses the same under ipv4, and takes it under the default (all).
            e = Assert.Throws<ConfigException>(() => Parse("inet_protocols = ipv4\n" + setting + "\n", board: false));
            Assert.Equal("main.cf:2: " + message + ", but inet_protocols = ipv4", e.Message);
            Parse(setting + "\n", board: false);
        }

        [Fact]
        public void Ipv4OnlyKeepsIpv6InMynetworksAndMxNames()
        {
            // mynetworks may name [::1]/128 (the board default does); a relayhost by name is looked up for A records only.
            Parse("mynetworks = 127.0.0.0/8 [::1]/128\nrelayhost = [smtp.example.com]:587\n", board: true);
        }

        [Fact]
        public void BoardRefusesInetProtocolsAll()
        {
            ConfigException e = Assert.Throws<ConfigException>(() => Parse("inet_protocols = all\n", board: true));
            Assert.Equal("main.cf:1: inet_protocols = all cannot work on a board: its System.Net carries IPv4 addresses only; set ipv4", e.Message);
        }

        [Theory]
        [InlineData("verify")]
        [InlineData("secure")]
        public void BoardRefusesVerifiedTlsWithoutACaFile(string level)
        {
            ConfigException e = Assert.Throws<ConfigException>(() => Parse("relayhost = [smtp.example.com]:587\nsmtp_tls_security_level = " + level + "\n", board: true));
            Assert.Equal("main.cf:2: smtp_tls_security_level = " + level + " needs smtp_tls_CAfile on a board: the firmware has no built-in root certificates", e.Message);
            Parse("smtp_tls_security_level = " + level + "\nsmtp_tls_CAfile = roots.pem\n", board: true);

            // The host has the system's roots.
            Parse("smtp_tls_security_level = " + level + "\n", board: false);
        }

        [Fact]
        public void BoardRefusesAVerifyPolicyWithoutACaFile()
        {
            ConfigException e = Assert.Throws<ConfigException>(() => Parse("smtp_tls_policy_maps = example.com encrypt, .example.org verify\n", board: true));
            Assert.Equal("main.cf:1: smtp_tls_policy_maps: .example.org verify needs smtp_tls_CAfile on a board: the firmware has no built-in root certificates", e.Message);
        }

        [Theory]
        [InlineData("smtp_tls_security_level = dane", "smtp_tls_security_level = dane cannot work on a board: its TLS binding does not expose the server's certificate")]
        [InlineData("smtp_tls_policy_maps = example.com encrypt, .example.org dane", "smtp_tls_policy_maps: .example.org dane cannot work on a board: its TLS binding does not expose the server's certificate")]
        [InlineData("smtp_mta_sts_enable = yes", "smtp_mta_sts_enable is a parameter of the emailcore program only; a board does not have it")]
        [InlineData("smtp_dns_support_level = dnssec", "smtp_dns_support_level is a parameter of the emailcore program only; a board does not have it")]
        public void BoardRefusesMtaStsAndDaneWhichTheHostAloneDoes(string setting, string message)
        {
            ConfigException e = Assert.Throws<ConfigException>(() => Parse("smtp_tls_CAfile = roots.pem\n" + setting + "\n", board: true));
            Assert.Equal("main.cf:2: " + message, e.Message);
            Parse(setting + "\nsmtp_dns_support_level = dnssec\n", board: false);
        }

        [Fact]
        public void BoardRefusesUnlimitedOrImpossibleTlsSessionCounts()
        {
            ConfigException e = Assert.Throws<ConfigException>(() => Parse("tls_session_limit = 0\n", board: true));
            Assert.StartsWith("main.cf:1: tls_session_limit = 0 (no limit) cannot work on a board", e.Message);

            // Board defaults: 2 sessions + 1 delivery runner = 3 TCP connections at most.
            e = Assert.Throws<ConfigException>(() => Parse("smtp_delivery_concurrency = 1\ntls_session_limit = 4\n", board: true));
            Assert.Equal("main.cf:2: tls_session_limit = 4 is more than the 3 TCP connections the board can have (smtpd_client_connection_count_limit + smtp_delivery_concurrency)", e.Message);
            Parse("tls_session_limit = 3\n", board: true);
        }

        [Fact]
        public void BoardRefusesMoreSocketsThanLwipHas()
        {
            // 1 listener + 12 sessions + 1 being refused + 2 per runner (SMTP and DNS) = 16 fit; 13 sessions do not.
            Parse("smtpd_client_connection_count_limit = 12\n", board: true);
            ConfigException e = Assert.Throws<ConfigException>(() => Parse("\nsmtpd_client_connection_count_limit = 13\n", board: true));
            Assert.Equal("main.cf:2: smtpd_listen, smtpd_client_connection_count_limit and smtp_delivery_concurrency need 17 sockets (listeners + sessions + 1 + 2 per delivery runner), but a board has 16", e.Message);

            e = Assert.Throws<ConfigException>(() => Parse("smtpd_listen = 0.0.0.0:1 0.0.0.0:2 0.0.0.0:3 0.0.0.0:4 0.0.0.0:5 0.0.0.0:6 0.0.0.0:7 0.0.0.0:8 0.0.0.0:9\nsmtpd_client_connection_count_limit = 1\n", board: true));
            Assert.Equal("main.cf:1: smtpd_listen: 9 listeners, but a board can listen on at most 8", e.Message);
        }

        [Fact]
        public void BoardDefaultsPassTheirOwnRules()
        {
            new MainConfig(board: true).Validate();
            new MainConfig(board: false).Validate();
        }

        private static MainConfig Parse(string text, bool board)
        {
            byte[] content = Encoding.UTF8.GetBytes(text);
            return MainConfig.Parse(content, content.Length, "main.cf", board);
        }
    }
}

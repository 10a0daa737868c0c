using System;
using System.Text;
using Emailcore.Nano.Config;
using Xunit;

namespace Emailcore.Nano.Tests.Config
{
    public sealed class MainConfigTests
    {
        private static MainConfig Parse(string text, bool board = false)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            return MainConfig.Parse(bytes, bytes.Length, "main.cf", board);
        }

        private static ConfigException Fails(string text) => Assert.Throws<ConfigException>(() => Parse(text));

        [Fact]
        public void DefaultsDifferBetweenHostAndBoard()
        {
            var host = new MainConfig(board: false);
            var board = new MainConfig(board: true);
            Assert.Equal("127.0.0.1:2525", host.GetString(Parameters.SmtpdListen));
            Assert.Equal(2, board.GetCount(Parameters.SmtpdClientConnectionCountLimit));
            Assert.True(host.GetSize(Parameters.QueueSizeLimit) > board.GetSize(Parameters.QueueSizeLimit));
            host.Validate();
            board.Validate();
        }

        [Fact]
        public void Rfc5321TimeoutsAreTheDefaults()
        {
            var config = new MainConfig(board: false);
            Assert.Equal(300, config.GetSeconds(Parameters.SmtpHeloTimeout));
            Assert.Equal(300, config.GetSeconds(Parameters.SmtpMailTimeout));
            Assert.Equal(300, config.GetSeconds(Parameters.SmtpRcptTimeout));
            Assert.Equal(120, config.GetSeconds(Parameters.SmtpDataInitTimeout));
            Assert.Equal(180, config.GetSeconds(Parameters.SmtpDataXferTimeout));
            Assert.Equal(600, config.GetSeconds(Parameters.SmtpDataDoneTimeout));
            Assert.Equal(300, config.GetSeconds(Parameters.SmtpdTimeout));
        }

        [Theory]
        [InlineData("300", 300)]
        [InlineData("300s", 300)]
        [InlineData("5m", 300)]
        [InlineData("4h", 14400)]
        [InlineData("5d", 432000)]
        [InlineData("1w", 604800)]
        public void TimeUnits(string text, int seconds)
        {
            Assert.Equal(seconds, Parse("smtpd_timeout = " + text).GetSeconds(Parameters.SmtpdTimeout));
        }

        [Theory]
        [InlineData("smtpd_timeout = 5x", "expected a time")]
        [InlineData("smtpd_timeout = -5", "expected a time")]
        [InlineData("smtpd_timeout = 99999999999d", "expected a time")]
        [InlineData("smtpd_recipient_limit = many", "expected a whole number")]
        [InlineData("smtp_tls_wrappermode = maybe", "expected yes or no")]
        [InlineData("myhostname = relay", "not a fully qualified host name")]
        [InlineData("myhostname = -bad.example", "not a fully qualified host name")]
        [InlineData("mydestination = good.example bad_domain", "\"bad_domain\" is not a domain name")]
        [InlineData("mynetworks = 300.0.0.0/8", "is not a network")]
        [InlineData("mynetworks = [2001:db8::]/129", "is not a network")]
        [InlineData("smtpd_listen = 127.0.0.1", "is not a listener")]
        [InlineData("smtpd_listen = 127.0.0.1:25/pop3", "is not a listener")]
        [InlineData("relayhost = [smtp.example.com]:99999", "is not a next hop")]
        [InlineData("relayhost = 192.0.2.1:25", "is not a next hop")]
        [InlineData("dns_servers = dns.example", "is not an address")]
        [InlineData("mydestination = $nosuch", "$nosuch is not a parameter")]
        [InlineData("mydestination = ${myhostname", "unbalanced")]
        public void BadValuesNameTheProblem(string line, string reason)
        {
            ConfigException e = Fails("# header\n" + line + "\n");
            Assert.Equal(2, e.Line);
            Assert.Contains(reason, e.Message);
            Assert.StartsWith("main.cf:2: ", e.Message);
        }

        [Fact]
        public void LineWithoutEqualsIsAnError()
        {
            ConfigException e = Fails("myhostname relay.example.com\n");
            Assert.Equal(1, e.Line);
            Assert.Contains("missing '='", e.Message);
        }

        [Fact]
        public void ExpansionFollowsReferencesAndStopsLoops()
        {
            MainConfig config = Parse("myhostname = mx.example.org\nmydestination = $myhostname, ${myhostname}, $(myhostname), localhost\n");
            Assert.Equal(new[] { "mx.example.org", "mx.example.org", "mx.example.org", "localhost" }, config.GetList(Parameters.Mydestination));
            Assert.Equal("$myhostname, ${myhostname}, $(myhostname), localhost", config.GetRaw(Parameters.Mydestination));

            ConfigException loop = Fails("smtp_tls_policy_maps = $transport_maps\ntransport_maps = $smtp_tls_policy_maps\n");
            Assert.Contains("loops", loop.Message);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void DefaultMydestinationHoldsMyhostnameAsInPostfix(bool board)
        {
            Assert.Equal(new[] { "mx.example.org", "localhost" }, Parse("myhostname = mx.example.org\n", board).GetList(Parameters.Mydestination));
            Assert.Equal(new[] { "localhost" }, Parse("", board).GetList(Parameters.Mydestination));
        }

        [Fact]
        public void ContinuationJoinsWithOneSpaceAndLaterSettingsWin()
        {
            MainConfig config = Parse("mynetworks = 127.0.0.0/8,\n\t10.0.0.0/8\n\n  # a comment between continuation lines\n  [::1]/128\nsmtpd_timeout = 10s\nsmtpd_timeout = 20s\n");
            Assert.Equal("127.0.0.0/8, 10.0.0.0/8 [::1]/128", config.GetRaw(Parameters.Mynetworks));
            Assert.Equal(3, config.GetList(Parameters.Mynetworks).Length);
            Assert.Equal(20, config.GetSeconds(Parameters.SmtpdTimeout));
        }

        [Fact]
        public void HashAfterAValueIsPartOfItAsInPostfix()
        {
            ConfigException e = Fails("smtpd_timeout = 300s # five minutes\n");
            Assert.Contains("not \"300s # five minutes\"", e.Message);
        }

        [Fact]
        public void CrLfLineEndsAndAByteOrderMarkAreAccepted()
        {
            MainConfig config = Parse("\uFEFFmyhostname = a.example\r\nsmtpd_timeout = 1m\r\n");
            Assert.Equal("a.example", config.GetString(Parameters.Myhostname));
            Assert.Equal(60, config.GetSeconds(Parameters.SmtpdTimeout));
        }

        [Fact]
        public void Utf8ValuesSurvive()
        {
            MainConfig config = Parse("smtp_sasl_password_maps = [smtp.example.com]:587 user:pässwörd✓\n");
            Assert.Equal("[smtp.example.com]:587 user:pässwörd✓", config.GetString(Parameters.SmtpSaslPasswordMaps));
        }

        [Fact]
        public void ParsedFormsAreUsable()
        {
            MainConfig config = Parse("relayhost = [smtp.example.com]:587\nsmtpd_listen = 127.0.0.1:2525 [::1]:465/smtps 0.0.0.0:587/submission\n");
            NextHop hop = NextHop.Parse(config.GetString(Parameters.Relayhost))!;
            Assert.Equal("smtp.example.com", hop.Host);
            Assert.Equal(587, hop.Port);
            Assert.True(hop.SkipMx);
            string[] listeners = config.GetList(Parameters.SmtpdListen);
            ListenSpec smtps = ListenSpec.Parse(listeners[1])!;
            Assert.Equal(ListenMode.Smtps, smtps.Mode);
            Assert.True(smtps.Endpoint.IsIPv6);
            Assert.Equal(465, smtps.Endpoint.Port);
            Assert.Equal(ListenMode.Submission, ListenSpec.Parse(listeners[2])!.Mode);
        }

        [Fact]
        public void EveryParameterIsDocumentedWithItsDefaults()
        {
            string doc = System.IO.File.ReadAllText(Support.Repo.PathOf("docs", "configuration.md"));
            for (int i = 0; i < Parameters.Count; i++)
            {
                Parameter p = Parameters.At(i);
                string row = $"| `{p.Name}` | {Cell(p.HostDefault)} | {Cell(p.BoardDefault)} |";
                Assert.True(doc.Contains(row, StringComparison.Ordinal), "docs/configuration.md lacks the row " + row);
            }

            // A parameter of the emailcore program only has no board default (Parameters.DefineHostOnly).
            static string Cell(string? value) => value == null ? "*(host only)*" : value.Length == 0 ? "*(empty)*" : "`" + value + "`";
        }
    }
}

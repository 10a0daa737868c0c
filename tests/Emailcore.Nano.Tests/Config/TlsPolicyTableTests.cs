using System.Text;
using Emailcore.Nano.Config;
using Xunit;

namespace Emailcore.Nano.Tests.Config
{
    /// <summary>smtp_tls_policy_maps: Postfix's lookup by next-hop destination, the attributes honoured, and every refusal at its file:line.</summary>
    public sealed class TlsPolicyTableTests
    {
        private static readonly TlsPolicy Fallback = new TlsPolicy(TlsLevel.May);

        private static TlsPolicyTable Table(string inline) => TlsPolicyTable.ParseInline(inline, "main.cf", 7);

        private static TlsLevel LevelFor(TlsPolicyTable table, string nexthop) => table.Lookup(NextHop.Parse(nexthop)!, Fallback).Level;

        [Fact]
        public void RecipientDomainMatchesItsOwnEntryExactly()
        {
            TlsPolicyTable table = Table("example.com verify");
            Assert.Equal(TlsLevel.Verify, LevelFor(table, "example.com"));
            Assert.Equal(TlsLevel.Verify, LevelFor(table, "EXAMPLE.com"));

            // As in Postfix (parent_domain_matches_subdomains does not list this table), "example.com" is not its subdomains' entry.
            Assert.Same(Fallback, table.Lookup(NextHop.Parse("mail.example.com")!, Fallback));
        }

        [Fact]
        public void BareDomainFallsBackToTheNearestDotParent()
        {
            TlsPolicyTable table = Table(".example.com encrypt, .b.example.com secure");
            Assert.Equal(TlsLevel.Secure, LevelFor(table, "a.b.example.com"));
            Assert.Equal(TlsLevel.Encrypt, LevelFor(table, "c.example.com"));
            Assert.Same(Fallback, table.Lookup(NextHop.Parse("example.com")!, Fallback));
        }

        [Fact]
        public void BracketedHostAndPortAreLookedUpVerbatim()
        {
            TlsPolicyTable table = Table("[127.0.0.1]:2525 none, [smtp.example.com] secure, smtp.example.com:587 encrypt, .example.com verify");
            Assert.Equal(TlsLevel.None, LevelFor(table, "[127.0.0.1]:2525"));
            Assert.Equal(TlsLevel.Secure, LevelFor(table, "[smtp.example.com]"));
            Assert.Equal(TlsLevel.Encrypt, LevelFor(table, "smtp.example.com:587"));

            // ":25" is the default port: "[smtp.example.com]:25" is the same destination as "[smtp.example.com]".
            Assert.Equal(TlsLevel.Secure, LevelFor(table, "[smtp.example.com]:25"));
        }

        [Fact]
        public void BracketsOrAPortStopTheParentDomainSearch()
        {
            TlsPolicyTable table = Table(".example.com verify");
            Assert.Same(Fallback, table.Lookup(NextHop.Parse("[smtp.example.com]")!, Fallback));
            Assert.Same(Fallback, table.Lookup(NextHop.Parse("smtp.example.com:587")!, Fallback));
            Assert.Same(Fallback, table.Lookup(NextHop.Parse("[127.0.0.1]:2525")!, Fallback));
        }

        [Fact]
        public void NothingMatchingLeavesTheGlobalLevel()
        {
            Assert.Same(Fallback, TlsPolicyTable.Empty.Lookup(NextHop.Parse("example.com")!, Fallback));
            Assert.Same(Fallback, Table("other.example none").Lookup(NextHop.Parse("[127.0.0.1]:2525")!, Fallback));
        }

        [Fact]
        public void CertificateNameFollowsTheLevelUnlessMatchSaysOtherwise()
        {
            TlsPolicyTable table = Table("a.example verify, b.example secure, c.example verify match=nexthop, d.example secure match=hostname, e.example verify match=mx.e.example");
            Assert.Equal("mx.a.example", Name(table, "a.example"));
            Assert.Equal("b.example", Name(table, "b.example"));
            Assert.Equal("c.example", Name(table, "c.example"));
            Assert.Equal("mx.d.example", Name(table, "d.example"));
            Assert.Equal("mx.e.example", Name(table, "e.example"));
        }

        [Fact]
        public void ProtocolsTheRelayAlwaysSatisfiesAreAccepted()
        {
            TlsPolicyTable table = Table("example.com encrypt protocols=!SSLv2:!SSLv3:!TLSv1:!TLSv1.1, example.org verify protocols=>=TLSv1.2 match=hostname");
            Assert.Equal(TlsLevel.Encrypt, LevelFor(table, "example.com"));
            Assert.Equal(TlsLevel.Verify, LevelFor(table, "example.org"));
        }

        [Fact]
        public void FileEntriesAreOneALine()
        {
            byte[] bytes = Encoding.ASCII.GetBytes("# policy\n[127.0.0.1]:2525 none\n\n.example.org secure match=nexthop\n");
            TlsPolicyTable table = TlsPolicyTable.Parse(bytes, bytes.Length, "tls_policy");
            Assert.Equal(2, table.Count);
            Assert.Equal(TlsLevel.None, LevelFor(table, "[127.0.0.1]:2525"));
            Assert.Equal(TlsLevel.Secure, LevelFor(table, "mx.example.org"));
        }

        [Theory]
        [InlineData("example.com sometimes", "\"sometimes\" is not a TLS level (none, may, dane, encrypt, verify, secure)")]
        [InlineData("example.com dane-only", "\"dane-only\" is a Postfix level this relay does not implement (none, may, dane, encrypt, verify, secure)")]
        [InlineData("example.com", "expected \"destination level [attribute=value ...]\", not \"example.com\"")]
        [InlineData("* encrypt", "\"*\": smtp_tls_policy_maps has no wildcard (as in Postfix); smtp_tls_security_level applies where no entry matches")]
        [InlineData("[127.0.0.1 none", "\"[127.0.0.1\" is not a next-hop destination (domain, .domain, host:port, [host] or [host]:port)")]
        [InlineData(".-bad none", "\".-bad\" is not a .domain")]
        [InlineData("example.com verify ciphers=high", "\"ciphers=high\" is not a policy attribute this relay supports (match=, protocols=)")]
        [InlineData("example.com verify tight", "\"tight\" is not a policy attribute this relay supports (match=, protocols=)")]
        [InlineData("example.com encrypt match=hostname", "match=hostname needs level verify or secure, not encrypt")]
        [InlineData("example.com secure match=nexthop:dot-nexthop", "match=nexthop:dot-nexthop: this relay matches a certificate against one name: hostname, nexthop or a host name (no dot-nexthop, .domain or lists)")]
        [InlineData("example.com may protocols=!TLSv1.2", "protocols=!TLSv1.2: \"!TLSv1.2\" cannot be honoured; this relay always offers TLSv1.2 and TLSv1.3 and nothing older (accepted: !SSLv2, !SSLv3, !TLSv1, !TLSv1.1, >=TLSv1.2)")]
        [InlineData("example.com may protocols=!SSLv3:TLSv1", "protocols=!SSLv3:TLSv1: \"TLSv1\" cannot be honoured; this relay always offers TLSv1.2 and TLSv1.3 and nothing older (accepted: !SSLv2, !SSLv3, !TLSv1, !TLSv1.1, >=TLSv1.2)")]
        public void BadEntriesAreRefusedAtTheirLine(string entry, string message)
        {
            ConfigException inline = Assert.Throws<ConfigException>(() => Table("ok.example none, " + entry));
            Assert.Equal("main.cf:7: " + message, inline.Message);

            byte[] bytes = Encoding.ASCII.GetBytes("ok.example none\n# comment\n" + entry + "\n");
            ConfigException file = Assert.Throws<ConfigException>(() => TlsPolicyTable.Parse(bytes, bytes.Length, "tls_policy"));
            Assert.Equal("tls_policy:3: " + message, file.Message);
        }

        private static string Name(TlsPolicyTable table, string domain) =>
            table.Lookup(NextHop.Parse(domain)!, Fallback).CertificateName(domain, "mx." + domain);
    }
}

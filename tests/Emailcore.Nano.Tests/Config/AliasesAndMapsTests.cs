using System.Text;
using Emailcore.Nano.Config;
using Xunit;

namespace Emailcore.Nano.Tests.Config
{
    public sealed class AliasesAndMapsTests
    {
        private static Aliases ParseAliases(string text)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            return Aliases.Parse(bytes, bytes.Length, "aliases");
        }

        [Fact]
        public void AliasesWithContinuationsQuotesAndLists()
        {
            Aliases aliases = ParseAliases("""
                # local aliases
                postmaster: root
                root: admin@example.com,
                  <ops@example.com>
                "odd:name": x@example.org
                staff: a@example.com, b@example.net
                owner-staff: listadmin@example.com
                """);
            Assert.Equal(5, aliases.Count);
            Assert.Equal(new[] { "admin@example.com", "ops@example.com" }, aliases.Lookup("ROOT"));
            Assert.Equal(new[] { "x@example.org" }, aliases.Lookup("odd:name"));
            Assert.Null(aliases.Lookup("nobody"));
            Assert.Equal("owner-staff", aliases.OwnerOf("staff"));
            Assert.Null(aliases.OwnerOf("root"));
        }

        [Theory]
        [InlineData("root admin@example.com\n", 1, "missing ':'")]
        [InlineData("# x\n  admin@example.com\n", 2, "continuation line without an alias")]
        [InlineData("a: b\nA: c\n", 2, "already defined on line 1")]
        [InlineData("a:\n", 1, "has no addresses")]
        [InlineData("a: |/usr/bin/prog\n", 1, "not supported")]
        [InlineData("a: /var/mail/a\n", 1, "not supported")]
        [InlineData("a: :include:/etc/list\n", 1, "not supported")]
        public void BadAliasFilesNameTheLine(string text, int line, string reason)
        {
            var e = Assert.Throws<ConfigException>(() => ParseAliases(text));
            Assert.Equal(line, e.Line);
            Assert.Contains(reason, e.Message);
        }

        [Fact]
        public void DomainMapMatchesExactThenParentThenWildcard()
        {
            DomainMap map = DomainMap.ParseInline("example.com [mx.example.com]:587, .example.com [sub.example.com], * [smarthost.example]", "main.cf", 3);
            Assert.Equal("[mx.example.com]:587", map.Lookup("EXAMPLE.com"));
            Assert.Equal("[sub.example.com]", map.Lookup("a.b.example.com"));
            Assert.Equal("[smarthost.example]", map.Lookup("other.org"));
            Assert.Null(DomainMap.Empty.Lookup("x.example"));
        }

        [Fact]
        public void DomainMapFiles()
        {
            byte[] bytes = Encoding.ASCII.GetBytes("# policy\nbank.example secure\n\n.example.org encrypt\n");
            DomainMap map = DomainMap.Parse(bytes, bytes.Length, "tls_policy");
            Assert.Equal(2, map.Count);
            Assert.Equal("secure", map.Lookup("bank.example"));
            Assert.Equal("encrypt", map.Lookup("mx.example.org"));
            Assert.Null(map.Lookup("example.org"));
            Assert.True(DomainMap.IsFileReference("/etc/emailcore/tls_policy"));
            Assert.False(DomainMap.IsFileReference("bank.example secure"));
        }

        [Fact]
        public void BadDomainMapsNameTheLine()
        {
            var odd = Assert.Throws<ConfigException>(() => DomainMap.ParseInline("a.example x, b.example", "main.cf", 7));
            Assert.Equal(7, odd.Line);
            Assert.Contains("has no value", odd.Message);
            byte[] bytes = Encoding.ASCII.GetBytes("ok.example may\nbad_domain may\n");
            var bad = Assert.Throws<ConfigException>(() => DomainMap.Parse(bytes, bytes.Length, "tls_policy"));
            Assert.Equal(2, bad.Line);
            Assert.Contains("is not a domain", bad.Message);
        }
    }
}

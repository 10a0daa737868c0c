using System.Collections.Generic;
using System.Text;
using Emailcore.Nano.Config;
using Emailcore.Nano.Relay;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Relay
{
    public sealed class AliasExpansionTests
    {
        private static AliasExpansion Expansion(string aliases, int max = 16)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(aliases);
            var router = new Router(new[] { "localhost", "lan.example" }, null, DomainMap.Empty, "transport_maps", OwnListeners.None);
            return new AliasExpansion(Aliases.Parse(bytes, bytes.Length, "aliases"), router, "lan.example", max);
        }

        private static List<string> Results(AliasExpansion e)
        {
            var list = new List<string>();
            for (int i = 0; i < e.Count; i++)
            {
                list.Add(e.AddressAt(i) + " from " + (e.SenderAt(i) ?? "(original)"));
            }

            return list;
        }

        [Fact]
        public void AliasKeepsTheSenderListSetsItsOwner()
        {
            AliasExpansion e = Expansion("""
                postmaster: root
                root: admin@example.com, ops
                ops: ops@example.net
                staff: alice, bob@example.org, root
                owner-staff: alice
                """);
            Assert.True(e.IsAlias("postmaster"));
            Assert.True(e.Expand("postmaster", "lan.example"));
            Assert.Equal(new[] { "admin@example.com from (original)", "ops@example.net from (original)" }, Results(e));

            Assert.True(e.Expand("staff", "lan.example"));
            Assert.Equal(new[]
            {
                "alice@lan.example from owner-staff@lan.example",
                "bob@example.org from owner-staff@lan.example",
                "admin@example.com from owner-staff@lan.example",
                "ops@example.net from owner-staff@lan.example",
            }, Results(e));
            Assert.False(e.IsAlias("alice"));
        }

        [Fact]
        public void SelfReferenceDeliversLocallyAndDuplicatesCollapse()
        {
            AliasExpansion e = Expansion("alice: alice, alice@lan.example, copy@example.com, copy@example.com\n");
            Assert.True(e.Expand("Alice", "lan.example"));
            Assert.Equal(new[] { "alice@lan.example from (original)", "copy@example.com from (original)" }, Results(e));
        }

        [Fact]
        public void LoopsDepthAndSizeAreBounded()
        {
            AliasExpansion loop = Expansion("a: b\nb: c@localhost\nc: a\n");
            Assert.False(loop.Expand("a", "lan.example"));
            Assert.Equal("5.4.6", loop.ErrorStatus);
            Assert.Contains("loop", loop.Error);

            var deep = new StringBuilder();
            for (int i = 0; i < 12; i++)
            {
                deep.Append($"n{i}: n{i + 1}\n");
            }

            AliasExpansion tooDeep = Expansion(deep.ToString());
            Assert.False(tooDeep.Expand("n0", "lan.example"));
            Assert.Contains("deeper than", tooDeep.Error);

            AliasExpansion many = Expansion("all: a@x.example, b@x.example, c@x.example\n", max: 2);
            Assert.False(many.Expand("all", "lan.example"));
            Assert.Equal("5.3.4", many.ErrorStatus);
        }

        [Theory]
        [InlineData(800, "0.8")]
        [InlineData(20, "0.02")]
        [InlineData(2345, "2.3")]
        [InlineData(12_600, "12")]
        [InlineData(4, "0")]
        public void DelaysLookLikePostfix(long ms, string text)
        {
            Assert.Equal(text, MailLog.FormatDelay(ms));
        }

        [Fact]
        public void LogLinesHaveTheMaillogShape()
        {
            var log = new ListLog();
            var mail = new MailLog(log);
            mail.Queued("3F2A9C", "a@lan", 1234, 1);
            mail.Delivery("3F2A9C", "b@example.com", null, "smtp.example.com[192.0.2.5]:587", 100, 4, 500, 196, "2.0.0", "sent", "250 2.0.0 Ok");
            mail.Delivery("3F2A9D", "alice@localhost", "team@localhost", "local", 20, 0, 0, 0, "2.0.0", "sent", "250 2.0.0 delivered to maildir");
            Assert.Equal("3F2A9C: from=<a@lan>, size=1234, nrcpt=1 (queue active)", log.Lines[0]);
            Assert.Equal("3F2A9C: to=<b@example.com>, relay=smtp.example.com[192.0.2.5]:587, delay=0.8, delays=0.1/0/0.5/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok)", log.Lines[1]);
            Assert.Equal("3F2A9D: to=<alice@localhost>, orig_to=<team@localhost>, relay=local, delay=0.02, delays=0.02/0/0/0, dsn=2.0.0, status=sent (250 2.0.0 delivered to maildir)", log.Lines[2]);
        }
    }
}

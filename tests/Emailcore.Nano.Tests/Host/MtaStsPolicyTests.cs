using System;
using System.IO;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Host.Policy;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Tests.Spool;
using Xunit;

namespace Emailcore.Nano.Tests.Host
{
    /// <summary>RFC 8461 §3.2 policy bodies, §4.1 MX patterns, the size-bounded cache file of §5.1, and the policies' DNS questions.</summary>
    public sealed class MtaStsPolicyTests
    {
        private static readonly DateTime Now = new(2026, 12, 4, 19, 0, 0, DateTimeKind.Utc);

        [Fact]
        public void ParsesAPolicyWithCrLfOrLfLinesAndIgnoresUnknownKeys()
        {
            MtaStsPolicy policy = MtaStsPolicy.Parse("version: STSv1\r\nmode: enforce\nmx: Mail.Example.COM.\r\nmx: *.backup.example.com\nextension: x\nmax_age: 604800\n", "abc", Now);
            Assert.Equal(MtaStsMode.Enforce, policy.Mode);
            Assert.Equal(604800, policy.MaxAge);
            Assert.Equal(new[] { "mail.example.com", "*.backup.example.com" }, policy.Mx);
            Assert.Equal(Now.AddDays(7), policy.Expires);
        }

        [Theory]
        [InlineData("mode: enforce\nmx: a.example\nmax_age: 1\n", "version is missing, not STSv1")]
        [InlineData("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n", "mode is \"strict\", not enforce, testing or none")]
        [InlineData("version: STSv1\nmode: testing\nmax_age: 1\n", "mode testing without an mx line")]
        [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", "max_age is \"31557601\", not seconds up to 31557600")]
        [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", "max_age is \"-1\", not seconds up to 31557600")]
        [InlineData("version: STSv1\nmode: enforce\nmx a.example\nmax_age: 1\n", "line \"mx a.example\" is not \"key: value\"")]
        public void RefusesWhatIsNotAPolicy(string body, string problem)
        {
            FormatException e = Assert.Throws<FormatException>(() => MtaStsPolicy.Parse(body, "id", Now));
            Assert.Equal(problem, e.Message);
        }

        [Theory]
        // RFC 8461 §4.1: a wildcard covers exactly one leftmost label, never the parent itself or two labels.
        [InlineData("mx1.example.com", true)]
        [InlineData("MX1.EXAMPLE.COM.", true)]
        [InlineData("example.com", false)]
        [InlineData("a.mx1.example.com", false)]
        [InlineData("mail.example.net", true)]
        [InlineData("x.mail.example.net", false)]
        [InlineData("example.net", false)]
        public void MxPatternsMatchAsSection41Says(string host, bool matches)
        {
            var policy = new MtaStsPolicy("id", MtaStsMode.Enforce, 60, new[] { "*.example.com", "mail.example.net" }, Now);
            Assert.Equal(matches, policy.Matches(host));
        }

        [Fact]
        public void ANameTooLongForDnsIsAnsweredAsOneThatDoesNotExistWithoutAsking()
        {
            // No server at all: a question that went out would fail instead.
            var dns = new PolicyDns(new DnsTransport(new HostNetwork(TlsSettings.None), new HostRandom(), new HostClock(), new ListLog(), Array.Empty<Endpoint>(), 1000, 1, 0, 512));
            PolicyAnswer answer = dns.Query("_25._tcp." + string.Join(".", new string('a', 60), new string('b', 60), new string('c', 60), new string('d', 60)) + ".example", RecordType.Tlsa);
            Assert.Equal(LookupStatus.NameError, answer.Status);
            Assert.Contains("longer than 255 octets", answer.Error);
        }

        [Fact]
        public void TheCacheFileStaysWithinItsSizeAndDropsThePolicyClosestToExpiry()
        {
            string dir = Path.Combine(Path.GetTempPath(), "emailcore-stscache-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                var log = new ListLog();
                // Each line is 55 bytes with its newline; 120 bytes hold two.
                var cache = new MtaStsCache(dir, 120, log);
                cache.Put("soon.example", new MtaStsPolicy("id1", MtaStsMode.Enforce, 60, new[] { "mx.soon.example" }, Now.AddSeconds(60)));
                cache.Put("late.example", new MtaStsPolicy("id2", MtaStsMode.Testing, 90, new[] { "mx.late.example" }, Now.AddSeconds(90)));
                cache.Put("next.example", new MtaStsPolicy("id3", MtaStsMode.Enforce, 70, new[] { "mx.next.example" }, Now.AddSeconds(70)));

                string file = Path.Combine(dir, MtaStsCache.FileName);
                Assert.True(new FileInfo(file).Length <= 120);
                var reopened = new MtaStsCache(dir, 120, log);
                Assert.Null(reopened.Get("soon.example", Now));
                Assert.Equal("id2", reopened.Get("late.example", Now)!.Id);
                Assert.Equal(new[] { "mx.next.example" }, reopened.Get("next.example", Now)!.Mx);

                // Expired entries are not answered; a line that is not a policy is skipped with a warning.
                Assert.Null(reopened.Get("next.example", Now.AddSeconds(71)));
                File.AppendAllText(file, "broken line\n");
                Assert.NotNull(new MtaStsCache(dir, 4096, log).Get("late.example", Now));
                Assert.Contains(log.Lines, l => l.Contains(file + ":3: skipped a line that is not a cached policy"));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}

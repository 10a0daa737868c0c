using System;
using System.IO;
using System.Linq;
using System.Text;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Xunit;

namespace Emailcore.Nano.Tests.Hardening
{
    /// <summary>Issue 18 item 4: a hostile main.cf costs bounded memory and time and fails with file:line.</summary>
    public sealed class ConfigBoundsTests
    {
        // Parameters whose values are not checked further, so only expansion can fail.
        private static readonly string[] Chain =
        {
            "alert_sender", "home_mailbox", "queue_directory", "transport_maps", "alias_maps", "smtp_tls_policy_maps",
            "smtp_tls_CAfile", "smtp_sasl_password_maps", "smtpd_tls_cert_file",
        };

        private static MainConfig Parse(string text, bool board = false)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            return MainConfig.Parse(bytes, bytes.Length, "main.cf", board);
        }

        /// <summary>Each level names the one below it thirty times: level k is 3·30^k characters.</summary>
        private static string Laughs(int levels)
        {
            var text = new StringBuilder(Chain[0] + " = lol\n");
            for (int i = 1; i < levels; i++)
            {
                text.Append(Chain[i]).Append(" = ").Append(string.Concat(Enumerable.Repeat("$" + Chain[i - 1], 30))).Append('\n');
            }

            return text.ToString();
        }

        [Fact]
        public void BillionLaughsStopAtTheValueLimitWithFileAndLine()
        {
            // Nine levels would be 1.9e12 characters; the fourth (81,000) is the first past the limit.
            var e = Assert.Throws<ConfigException>(() => Parse(Laughs(9)));
            Assert.Equal("main.cf:4: transport_maps: the value after $name expansion is longer than 65536 characters", e.Message);
        }

        [Fact]
        public void AnExpansionJustOverTheLimitFails()
        {
            var e = Assert.Throws<ConfigException>(() => Parse(Laughs(4)));
            Assert.Equal(4, e.Line);
            Assert.Equal(2700, Parse(Laughs(3)).GetString(Parameters.QueueDirectory).Length);
        }

        [Fact]
        public void ABoardHasASmallerValueLimit()
        {
            string text = "alert_sender = " + new string('x', 200) + "\nhome_mailbox = " + string.Concat(Enumerable.Repeat("$alert_sender", 30)) + "\n";
            Assert.Equal(6000, Parse(text).GetString(Parameters.HomeMailbox).Length);
            var e = Assert.Throws<ConfigException>(() => Parse(text, board: true));
            Assert.Equal("main.cf:2: home_mailbox: the value after $name expansion is longer than 4096 characters", e.Message);
        }

        [Fact]
        public void AReferenceUsedManyTimesIsExpandedOnceAndCorrectly()
        {
            // A diamond: both middle values use the bottom one; the top joins them.
            MainConfig config = Parse("alert_sender = x\nhome_mailbox = $alert_sender/$alert_sender\nqueue_directory = ${alert_sender}-$(alert_sender)\ntransport_maps = $home_mailbox $queue_directory $home_mailbox\n");
            Assert.Equal("x/x x-x x/x", config.GetString(Parameters.TransportMaps));
            config.Set("alert_sender", "y", 9);
            Assert.Equal("y/y y-y y/y", config.GetString(Parameters.TransportMaps));
        }

        [Fact]
        public void ALoopThroughSeveralParametersIsStillFound()
        {
            var e = Assert.Throws<ConfigException>(() => Parse("home_mailbox = a$queue_directory\nqueue_directory = b$transport_maps\ntransport_maps = c$home_mailbox\n"));
            Assert.Contains("$name expansion loops", e.Message);
            Assert.StartsWith("main.cf:", e.Message);
        }

        [Fact]
        public void AValueWrittenLongerThanTheLimitFailsAtItsLine()
        {
            string text = "myhostname = mx.example.com\n\ntransport_maps = " + new string('a', 40000) + "\n" + string.Concat(Enumerable.Repeat("  " + new string('b', 1000) + "\n", 30));
            var e = Assert.Throws<ConfigException>(() => Parse(text));
            Assert.Equal("main.cf:3: transport_maps: the value has 70030 characters, more than 65536", e.Message);
        }

        [Fact]
        public void ManyContinuationLinesAreJoinedInOrder()
        {
            string text = "mydestination = d0.example\n" + string.Concat(Enumerable.Range(1, 3000).Select(i => "\td" + i + ".example\n"));
            string[] domains = Parse(text).GetList(Parameters.Mydestination);
            Assert.Equal(3001, domains.Length);
            Assert.Equal("d2999.example", domains[2999]);
        }

        [Theory]
        [InlineData(false, MainConfig.HostFileLimit)]
        [InlineData(true, MainConfig.BoardFileLimit)]
        public void AFileOverTheLimitIsRefusedBeforeParsing(bool board, int limit)
        {
            byte[] content = new byte[limit + 1];
            Array.Fill(content, (byte)'#');
            var e = Assert.Throws<ConfigException>(() => MainConfig.Parse(content, content.Length, "main.cf", board));
            Assert.Equal("main.cf: the file has " + (limit + 1) + " bytes, more than the " + limit + " a configuration may have", e.Message);
            content[limit] = (byte)'\n';
            MainConfig.Parse(content, limit, "main.cf", board);
        }

        [Fact]
        public void ANamedFileOverTheLimitIsRefusedBeforeItIsRead()
        {
            string root = Path.Combine(Path.GetTempPath(), "emailcore-bigfile-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(root);
            try
            {
                using (var f = File.Create(Path.Combine(root, "aliases")))
                {
                    f.SetLength(ConfigFiles.SizeLimit + 1L);
                }

                var e = Assert.Throws<ConfigException>(() => ConfigFiles.Read(new HostFileSystem(root), "aliases"));
                Assert.Equal("aliases: the file has " + (ConfigFiles.SizeLimit + 1) + " bytes, more than the " + ConfigFiles.SizeLimit + " a configuration file may have", e.Message);
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }

        [Fact]
        public void AliasContinuationLinesAreJoined()
        {
            byte[] text = Encoding.UTF8.GetBytes("list: a@x.example,\n  b@x.example\n\tc@x.example\nother: d@x.example\n");
            Aliases aliases = Aliases.Parse(text, text.Length, "aliases");
            Assert.Equal(new[] { "a@x.example", "b@x.example", "c@x.example" }, aliases.Lookup("list"));
            Assert.Equal(new[] { "d@x.example" }, aliases.Lookup("other"));
        }
    }
}

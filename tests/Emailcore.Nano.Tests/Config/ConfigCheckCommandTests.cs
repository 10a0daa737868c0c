using System;
using System.Collections.Generic;
using System.IO;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Config
{
    /// <summary>`emailcore config check FILE` run as a program, the way an administrator runs it.</summary>
    public sealed class ConfigCheckCommandTests : IDisposable
    {
        private readonly List<string> _written = new();

        public void Dispose()
        {
            foreach (string path in _written)
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void GoodFilePrintsTheSettingsItMakesSortedLikePostconfN()
        {
            string file = Write("""
                # relay on the LAN
                myhostname = relay.example.com
                mydestination = $myhostname, localhost
                relayhost = [smtp.example.com]:587
                smtp_tls_security_level = encrypt
                mynetworks = 127.0.0.0/8
                    192.168.1.0/24 [::1]/128
                smtpd_timeout = 5m
                """);
            RunResult run = Run.Emailcore("config", "check", file);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(
                "mydestination = $myhostname, localhost\n" +
                "myhostname = relay.example.com\n" +
                "mynetworks = 127.0.0.0/8 192.168.1.0/24 [::1]/128\n" +
                "relayhost = [smtp.example.com]:587\n" +
                "smtp_tls_security_level = encrypt\n" +
                "smtpd_timeout = 5m\n",
                run.StandardOutput.Replace("\r\n", "\n"));
        }

        [Fact]
        public void TheFileMayBeNamedWithConfigAsEveryOtherVerbTakesIt()
        {
            string file = Write("myhostname = relay.example.com\nsmtpd_timeout = 5m\n");
            RunResult positional = Run.Emailcore("config", "check", file);
            RunResult option = Run.Emailcore("config", "check", "--config", file);
            Assert.True(option.ExitCode == 0, option.ToString());
            Assert.Equal(positional.StandardOutput, option.StandardOutput);
            Assert.Equal("myhostname = relay.example.com\nsmtpd_timeout = 5m\n", option.StandardOutput.Replace("\r\n", "\n"));
        }

        [Fact]
        public void TheFileIsNamedOnce()
        {
            string file = Write("myhostname = relay.example.com\n");
            foreach (string[] args in new[] { new[] { "config", "check" }, new[] { "config", "check", file, "--config", file } })
            {
                RunResult run = Run.Emailcore(args);
                Assert.Equal(1, run.ExitCode);
                Assert.Contains("name the file to check once", run.StandardError);
            }
        }

        [Fact]
        public void SettingsBelowAnRfcMinimumAreWarnedAboutWithFileAndLine()
        {
            // RFC 5321 §4.5.4.1 asks for retries at least 30 minutes apart; the value is taken, with a warning.
            string file = Write("myhostname = relay.example.com\nminimal_backoff_time = 4s\nsmtpd_timeout = 300s\n");
            RunResult run = Run.Emailcore("config", "check", file);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("emailcore: " + file + ":2: warning: minimal_backoff_time = 4s is below the 1800s of RFC 5321 section 4.5.4.1\n",
                run.StandardError.Replace("\r\n", "\n"));
        }

        [Fact]
        public void TheProgramKnowsItsOwnParametersAndABoardDoesNot()
        {
            string file = Write("myhostname = relay.example.com\nsmtp_mta_sts_enable = yes\nsmtp_tls_security_level = dane\nsmtp_dns_support_level = dnssec\n");
            RunResult run = Run.Emailcore("config", "check", file);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("myhostname = relay.example.com\nsmtp_dns_support_level = dnssec\nsmtp_mta_sts_enable = yes\nsmtp_tls_security_level = dane\n", run.StandardOutput.Replace("\r\n", "\n"));

            run = Run.Emailcore("config", "check", "--board", file);
            Assert.Equal(1, run.ExitCode);
            Assert.Contains(file + ":2: smtp_mta_sts_enable is a parameter of the emailcore program only; a board does not have it", run.StandardError);
        }

        [Fact]
        public void UnknownNameIsReportedWithFileAndLine()
        {
            string file = Write("myhostname = relay.example.com\n\nsmtp_tls_securty_level = may\n");
            RunResult run = Run.Emailcore("config", "check", file);
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains(file + ":3: unknown parameter \"smtp_tls_securty_level\"", run.StandardError);
        }

        [Fact]
        public void BadValueIsReportedWithFileAndLine()
        {
            string file = Write("# comment\nmyhostname = relay.example.com\nsmtp_tls_security_level = sometimes\n");
            RunResult run = Run.Emailcore("config", "check", file);
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains(file + ":3: smtp_tls_security_level: expected one of none, may, dane, encrypt, verify, secure, not \"sometimes\"", run.StandardError);
        }

        [Fact]
        public void BadValueOnAContinuationIsReportedAtItsParameterLine()
        {
            string file = Write("myhostname = relay.example.com\nmynetworks = 127.0.0.0/8\n  10.0.0.0/33\n");
            RunResult run = Run.Emailcore("config", "check", file);
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains(file + ":2: mynetworks: \"10.0.0.0/33\" is not a network", run.StandardError);
        }

        [Fact]
        public void ContinuationLineWithoutAParameterIsReportedWithFileAndLine()
        {
            string file = Write("# starts badly\n   127.0.0.0/8\nmyhostname = relay.example.com\n");
            RunResult run = Run.Emailcore("config", "check", file);
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains(file + ":2: continuation line without a parameter before it", run.StandardError);
        }

        [Fact]
        public void MissingFileIsAClearError()
        {
            string file = Path.Combine(Path.GetTempPath(), "emailcore-no-such-" + Path.GetRandomFileName());
            RunResult run = Run.Emailcore("config", "check", file);
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains("cannot read", run.StandardError);
        }

        [Theory]
        [InlineData(100000, true)]
        [InlineData(1000, false)]
        public void BoardCheckWarnsWhenAuthWouldTakeTooLong(int iterations, bool warned)
        {
            // The users file beside main.cf, as tools/upload-config.sh puts them both on I:\.
            string dir = Path.Combine(Path.GetTempPath(), "emailcore-users-" + Path.GetRandomFileName());
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "users"), "alice:$pbkdf2-sha256$" + iterations + "$AAECAwQFBgcICQoLDA0ODw==$qeuK7UarUXfagAqMU8OMY+iVJZ6vU7L6XNVar56Jscc=\n");
            string file = Path.Combine(dir, "main.cf");
            File.WriteAllText(file, "smtpd_sasl_auth_enable = yes\nsmtpd_sasl_users = users\n");
            try
            {
                RunResult run = Run.Emailcore("config", "check", "--board", file);
                Assert.True(run.ExitCode == 0, run.ToString());
                Assert.Equal(warned, run.StandardError.Contains("warning: users: " + iterations + " PBKDF2 iterations make one AUTH take about " + (iterations / 200) + " s on a board"));
                Assert.DoesNotContain("cannot read", run.StandardError);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        /// <summary>A main.cf in the temp folder, removed when the test ends.</summary>
        private string Write(string content)
        {
            string path = Path.Combine(Path.GetTempPath(), "emailcore-" + Path.GetRandomFileName() + ".cf");
            File.WriteAllText(path, content);
            _written.Add(path);
            return path;
        }
    }
}

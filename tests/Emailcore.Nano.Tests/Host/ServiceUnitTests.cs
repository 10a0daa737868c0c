using System;
using System.IO;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Host
{
    /// <summary>tools/emailcore.service is a unit systemd accepts, sandboxed as README says; tools/sendmail hands over to it.</summary>
    public sealed class ServiceUnitTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "emailcore-unit-" + Guid.NewGuid().ToString("N"));

        public ServiceUnitTests() => Directory.CreateDirectory(_dir);

        public void Dispose() => Directory.Delete(_dir, true);

        [Fact]
        public void TheUnitPassesSystemdAnalyzeVerifyWithoutAWarning()
        {
            string unit = File.ReadAllText(Repo.PathOf("tools", "emailcore.service"));

            // verify also checks that ExecStart's program exists: point it at a stand-in for the published one.
            string program = Path.Combine(_dir, "emailcore");
            File.Copy("/bin/true", program);
            string copy = Path.Combine(_dir, "emailcore.service");
            File.WriteAllText(copy, unit.Replace("/opt/emailcore/emailcore", program));
            RunResult run = Run.Program("systemd-analyze", new[] { "verify", copy });
            Assert.True(run.ExitCode == 0 && run.StandardError.Length == 0 && run.StandardOutput.Length == 0, run.ToString());
        }

        [Theory]
        [InlineData("User=emailcore")]
        [InlineData("WorkingDirectory=/var/spool/emailcore")]
        [InlineData("ExecStart=/opt/emailcore/emailcore relay --config /etc/emailcore/main.cf")]
        [InlineData("KillSignal=SIGTERM")]
        [InlineData("StandardError=journal")]
        [InlineData("NoNewPrivileges=yes")]
        [InlineData("ProtectSystem=strict")]
        [InlineData("ReadWritePaths=/var/spool/emailcore")]
        [InlineData("CapabilityBoundingSet=CAP_NET_BIND_SERVICE")]
        [InlineData("AmbientCapabilities=CAP_NET_BIND_SERVICE")]
        public void TheUnitRunsTheRelayAsItsOwnUserSandboxed(string line)
        {
            Assert.Contains("\n" + line + "\n", File.ReadAllText(Repo.PathOf("tools", "emailcore.service")));
        }

        [Fact]
        public void TheSendmailWrapperPassesEveryArgumentOnWithTheServicesConfiguration()
        {
            string wrapper = File.ReadAllText(Repo.PathOf("tools", "sendmail"));
            string fake = Path.Combine(_dir, "emailcore");
            File.WriteAllText(fake, "#!/bin/sh\nfor a in \"$@\"; do echo \"[$a]\"; done\n");
            string script = Path.Combine(_dir, "sendmail");
            File.WriteAllText(script, wrapper.Replace("/opt/emailcore/emailcore", fake));
            Run.Program("chmod", new[] { "755", fake, script });
            RunResult run = Run.Program(script, new[] { "-t", "-F", "Cron Daemon", "-oi" });
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("[sendmail]\n[--config]\n[/etc/emailcore/main.cf]\n[-t]\n[-F]\n[Cron Daemon]\n[-oi]\n", run.StandardOutput);
        }
    }
}

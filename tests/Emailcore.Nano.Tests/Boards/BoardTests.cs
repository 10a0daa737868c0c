using System.Collections.Generic;
using System.IO;
using System.Linq;
using Emailcore.Nano.Config;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Boards
{
    /// <summary>
    /// Every board folder is complete and its main.cf passes `config check --board`. Whether the appliance built from
    /// it fits the board's heap is measured on the interpreter (tests/Emailcore.Nano.BoardHeap, budget.txt), not here:
    /// the object-graph estimate this class used to make counted 35 KB where the 79 KiB interpreter measured 75 KB,
    /// because thread stacks, the core's static data and the CLR's own structures are not objects it could walk.
    /// </summary>
    public sealed class BoardTests
    {
        public static IEnumerable<object[]> Boards() =>
            Directory.GetDirectories(Repo.PathOf("boards")).Select(d => new object[] { Path.GetFileName(d) });

        [Fact]
        public void TheFourSupportedBoardsAreThere()
        {
            Assert.Equal(new[] { "esp32-devkitc-wroom", "esp32-s3", "esp32-wrover", "wt32-eth01" }, Boards().Select(b => (string)b[0]).OrderBy(b => b));
        }

        [Theory]
        [MemberData(nameof(Boards))]
        public void BoardFolderIsCompleteAndItsConfigurationChecks(string board)
        {
            string readme = File.ReadAllText(Repo.PathOf("boards", board, "README.md"));
            foreach (string heading in new[] { "Firmware target", "Network", "Flash", "Memory budget" })
            {
                Assert.Contains(heading, readme);
            }

            RunResult check = Run.Emailcore("config", "check", "--board", Repo.PathOf("boards", board, "main.cf"));
            Assert.True(check.ExitCode == 0, check.ToString());
        }

        [Theory]
        [MemberData(nameof(Boards))]
        public void TlsSessionLimitFitsTheBoardsNativeHeap(string board)
        {
            // config check --board holds tls_session_limit to the sockets; the native heap is the board folder's figure.
            byte[] content = File.ReadAllBytes(Repo.PathOf("boards", board, "main.cf"));
            MainConfig config = MainConfig.Parse(content, content.Length, "main.cf", board: true);
            long sessions = File.ReadAllLines(Repo.PathOf("boards", board, "budget.txt"))
                .Select(l => l.Split(' ', System.StringSplitOptions.RemoveEmptyEntries))
                .Single(p => p.Length == 2 && p[0] == "tls_sessions")[1] is string n ? long.Parse(n) : 0;
            Assert.True(config.GetCount(Parameters.TlsSessionLimit) <= sessions,
                $"{board}: tls_session_limit = {config.GetCount(Parameters.TlsSessionLimit)}, but budget.txt says its native heap holds {sessions}");
        }
    }
}

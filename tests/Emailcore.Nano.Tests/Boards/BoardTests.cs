using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Relay;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Emailcore.Nano.Tests.Boards
{
    /// <summary>Every board folder is complete, its main.cf passes `config check --board`, and the appliance built from it fits the board's budget.</summary>
    public sealed class BoardTests
    {
        private readonly ITestOutputHelper _output;

        public BoardTests(ITestOutputHelper output)
        {
            _output = output;
        }

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
            MainConfig config = BoardConfig(board);
            Assert.True(config.GetCount(Parameters.TlsSessionLimit) <= Budget(board)["tls_sessions"],
                $"{board}: tls_session_limit = {config.GetCount(Parameters.TlsSessionLimit)}, but budget.txt says its native heap holds {Budget(board)["tls_sessions"]}");
        }

        [Theory]
        [MemberData(nameof(Boards))]
        public void ApplianceFitsTheBoardsBudget(string board)
        {
            Dictionary<string, long> budget = Budget(board);
            MainConfig config = BoardConfig(board);

            string root = Path.Combine(Path.GetTempPath(), "emailcore-budget-" + Guid.NewGuid().ToString("N"));
            var log = new ListLog();
            var clock = new HostClock();
            var network = new HostNetwork(TlsSettings.None);
            var spool = Nano.Spool.Spool.Open(config, new HostFileStore(Path.Combine(root, "spool")), log, clock, readOnly: false);
            var server = new SmtpServer(ServerSettings.From(config), config.GetList(Parameters.SmtpdListen).Select(l => ListenSpec.Parse(l)!).ToArray(), network, spool, clock, log);
            var queue = new QueueManager(config, spool, network, new HostFileSystem(root), clock, new HostRandom(), log);

            var alerts = Nano.Alerts.AlertService.Create(config, spool, clock, new HostRandom(), log);

            var walker = new HeapWalker();
            walker.Walk(server);
            walker.Walk(queue);
            walker.Walk(spool);
            walker.Walk(alerts);
            foreach (KeyValuePair<string, long> row in walker.ByType.OrderByDescending(r => r.Value).Take(12))
            {
                _output.WriteLine($"{row.Key,-32} {row.Value,8}");
            }

            _output.WriteLine($"{board}: {walker.Bytes} bytes long-lived, budget {budget["long_lived"]}, managed heap {budget["managed_heap"]}");
            spool.Close();
            Assert.True(walker.Bytes <= budget["long_lived"], $"{board}: the appliance keeps {walker.Bytes} bytes, over the budget of {budget["long_lived"]}");
            Assert.True(budget["long_lived"] <= budget["managed_heap"] / 2, "the budget must leave half the heap for transient objects");
        }

        private static Dictionary<string, long> Budget(string board) =>
            File.ReadAllLines(Repo.PathOf("boards", board, "budget.txt"))
                .Where(l => l.Length > 0 && l[0] != '#')
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .ToDictionary(p => p[0], p => long.Parse(p[1]));

        private static MainConfig BoardConfig(string board)
        {
            byte[] content = File.ReadAllBytes(Repo.PathOf("boards", board, "main.cf"));
            return MainConfig.Parse(content, content.Length, "main.cf", board: true);
        }
    }
}

using System.CommandLine;
using System.IO;

namespace Emailcore.Nano.Host.Commands
{
    /// <summary>What every verb shares: the one --config option and the exit codes (README "Exit codes").</summary>
    public static class CommonOptions
    {
        /// <summary>EX_TEMPFAIL (sysexits.h): a temporary state, such as a spool a running relay holds; the same command may work later.</summary>
        public const int Temporary = 75;

        /// <summary>The configuration file; every verb that reads one takes it here.</summary>
        public static readonly Option<FileInfo?> Config = new("--config") { Description = "the main.cf-style configuration (default: the embedded one)" };
    }
}

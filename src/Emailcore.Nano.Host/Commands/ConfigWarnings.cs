using System.Linq;
using Emailcore.Nano.Config;

namespace Emailcore.Nano.Host.Commands
{
    /// <summary>
    /// Settings the parser accepts but an RFC advises against: each below its minimum is one
    /// "file:line: warning: ..." line. `emailcore config check` prints them and the relay logs them at start;
    /// neither fails, as Postfix takes such values too. Host-side only: a board's main.cf passes `config check
    /// --board` before upload, and the board's 79 KiB heap has no room for these tables.
    /// </summary>
    public static class ConfigWarnings
    {
        private static readonly (Parameter Parameter, int MinimumSeconds, string Section)[] Minimums =
        {
            (Parameters.MinimalBackoffTime, 1800, "4.5.4.1"), // the retry interval SHOULD be at least 30 minutes
            (Parameters.SmtpMailTimeout, 300, "4.5.3.2.2"),
            (Parameters.SmtpRcptTimeout, 300, "4.5.3.2.3"),
            (Parameters.SmtpDataInitTimeout, 120, "4.5.3.2.4"),
            (Parameters.SmtpDataXferTimeout, 180, "4.5.3.2.5"),
            (Parameters.SmtpDataDoneTimeout, 600, "4.5.3.2.6"),
            (Parameters.SmtpdTimeout, 300, "4.5.3.2.7"), // the server's timeout
        };

        /// <summary>One line per setting below its RFC 5321 minimum, in parameter order; empty when there is none.</summary>
        public static string[] Of(MainConfig config) =>
            Minimums
                .Where(m => config.GetSeconds(m.Parameter) < m.MinimumSeconds)
                .Select(m => config.FileName + ":" + config.LineOf(m.Parameter) + ": warning: " + m.Parameter.Name + " = "
                    + config.GetSeconds(m.Parameter) + "s is below the " + m.MinimumSeconds + "s of RFC 5321 section " + m.Section)
                .ToArray();
    }
}

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
        private static readonly Parameter[] Checked =
        {
            Parameters.MinimalBackoffTime, // RFC 5321 §4.5.4.1: the retry interval SHOULD be at least 30 minutes
            Parameters.SmtpMailTimeout, // RFC 5321 §4.5.3.2.2: MAIL, 5 minutes
            Parameters.SmtpRcptTimeout, // RFC 5321 §4.5.3.2.3: RCPT, 5 minutes
            Parameters.SmtpDataInitTimeout, // RFC 5321 §4.5.3.2.4: DATA initiation, 2 minutes
            Parameters.SmtpDataXferTimeout, // RFC 5321 §4.5.3.2.5: data block, 3 minutes
            Parameters.SmtpDataDoneTimeout, // RFC 5321 §4.5.3.2.6: DATA termination, 10 minutes
            Parameters.SmtpdTimeout, // RFC 5321 §4.5.3.2.7: server timeout, 5 minutes
        };

        private static readonly int[] MinimumSeconds = { 1800, 300, 300, 120, 180, 600, 300 };

        private static readonly string[] Sections = { "4.5.4.1", "4.5.3.2.2", "4.5.3.2.3", "4.5.3.2.4", "4.5.3.2.5", "4.5.3.2.6", "4.5.3.2.7" };

        /// <summary>One line per setting below its RFC minimum, in parameter order; empty when there is none.</summary>
        public static string[] Of(MainConfig config)
        {
            int count = 0;
            for (int i = 0; i < Checked.Length; i++)
            {
                if (IsBelow(config, i))
                {
                    count++;
                }
            }

            var lines = new string[count];
            count = 0;
            for (int i = 0; i < Checked.Length; i++)
            {
                if (IsBelow(config, i))
                {
                    lines[count++] = config.FileName + ":" + config.LineOf(Checked[i]).ToString() + ": warning: " + Checked[i].Name + " = "
                        + config.GetSeconds(Checked[i]).ToString() + "s is below the " + MinimumSeconds[i].ToString()
                        + "s of RFC 5321 section " + Sections[i];
                }
            }

            return lines;
        }

        private static bool IsBelow(MainConfig config, int i)
        {
            return config.GetSeconds(Checked[i]) < MinimumSeconds[i];
        }
    }
}

using System;
using System.CommandLine;
using System.IO;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;

namespace Emailcore.Nano.Host.Commands
{
    /// <summary>
    /// `emailcore config check [--config] FILE [--board]`: validate (values, the rules between them, a board's limits, the PEM
    /// files named), then print the settings like `postconf -n`. With --board, file names are taken from FILE's
    /// folder, as the board takes them from I:\ where tools/upload-config.sh puts main.cf and its files together.
    /// </summary>
    public static class ConfigCommands
    {
        public static Command Create()
        {
            // The positional FILE is the older form, kept working beside the --config every other verb takes.
            var file = new Argument<FileInfo?>("FILE") { Description = "the main.cf-style file to check (the same as --config FILE)", Arity = ArgumentArity.ZeroOrOne };
            var board = new Option<bool>("--board") { Description = "apply a board's defaults instead of the host's" };
            var check = new Command("check", "validate a configuration file and print the settings it makes") { file, CommonOptions.Config, board };
            check.SetAction(parse =>
            {
                FileInfo? positional = parse.GetValue(file);
                FileInfo? option = parse.GetValue(CommonOptions.Config);
                if ((positional == null) == (option == null))
                {
                    Console.Error.WriteLine("emailcore: config check: name the file to check once, as --config FILE or as FILE");
                    return 1;
                }

                return Check(positional ?? option!, parse.GetValue(board));
            });
            return new Command("config", "configuration tools") { check };
        }

        private static int Check(FileInfo file, bool board)
        {
            MainConfig config;
            try
            {
                config = ConfigLoader.Load(file.FullName, board, file.ToString());

                // The PEM files are parsed as the relay (or the board, from I:\ beside main.cf) will parse them.
                TlsSettings.From(config, board ? file.DirectoryName : null);

                // The TLS policy table through the relay's own parser, so both refuse the same entries at the same file:line.
                TlsPolicyTable.From(config, new HostFileSystem(board ? file.DirectoryName ?? "." : "."));
            }
            catch (ConfigException e)
            {
                Console.Error.WriteLine("emailcore: " + e.Message);
                return 1;
            }

            foreach (string line in ConfigLoader.Explicit(config))
            {
                Console.WriteLine(line);
            }

            foreach (string warning in ConfigWarnings.Of(config))
            {
                Console.Error.WriteLine("emailcore: " + warning);
            }

            if (board)
            {
                WarnAboutSlowAuth(config, file);
            }

            return 0;
        }

        /// <summary>On a board every AUTH runs the users file's PBKDF2 rounds in interpreted code; too many stall every session.</summary>
        private static void WarnAboutSlowAuth(MainConfig config, FileInfo file)
        {
            string users = config.GetString(Parameters.SmtpdSaslUsers);
            if (!config.GetBool(Parameters.SmtpdSaslAuthEnable) || users.Length == 0)
            {
                return;
            }

            // Uploaded beside main.cf, so a relative name is taken from the configuration's folder.
            string path = Path.IsPathRooted(users) ? users : Path.Combine(file.DirectoryName ?? ".", users);
            try
            {
                byte[] content = File.ReadAllBytes(path);
                int highest = Smtp.Server.SaslUsers.Parse(content, content.Length, users).HighestIterations;
                if (highest > Smtp.Server.SaslUsers.BoardIterationAdvice)
                {
                    Console.Error.WriteLine("emailcore: warning: " + users + ": " + highest + " PBKDF2 iterations make one AUTH take about "
                        + (highest / 200) + " s on a board (estimated 200 iterations per second); use at most "
                        + Smtp.Server.SaslUsers.BoardIterationAdvice + " and a long random password (README \"Receiving side\")");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine("emailcore: warning: cannot read " + path + " to check its iteration counts: " + e.Message);
            }
            catch (ConfigException e)
            {
                Console.Error.WriteLine("emailcore: warning: " + e.Message);
            }
        }
    }
}

using System;
using System.CommandLine;
using System.IO;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;

namespace Emailcore.Nano.Host.Commands
{
    /// <summary>
    /// `emailcore config check FILE [--board]`: validate (values, the rules between them, a board's limits, the PEM
    /// files named), then print the settings like `postconf -n`. With --board, file names are taken from FILE's
    /// folder, as the board takes them from I:\ where tools/upload-config.sh puts main.cf and its files together.
    /// </summary>
    public static class ConfigCommands
    {
        public static Command Create()
        {
            var file = new Argument<FileInfo>("FILE") { Description = "the main.cf-style file to check" };
            var board = new Option<bool>("--board") { Description = "apply a board's defaults instead of the host's" };
            var check = new Command("check", "validate a configuration file and print the settings it makes") { file, board };
            check.SetAction(parse => Check(parse.GetValue(file)!, parse.GetValue(board)));
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

            return 0;
        }
    }
}

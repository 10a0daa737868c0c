using System;
using System.Collections.Generic;
using System.IO;
using Emailcore.Nano.Config;

namespace Emailcore.Nano.Host
{
    /// <summary>Reads main.cf from disk into the core's parser; with no file, the embedded defaults.</summary>
    public static class ConfigLoader
    {
        public static MainConfig Load(string? path, bool board = false, string? displayName = null)
        {
            if (path == null)
            {
                var defaults = new MainConfig(board);
                defaults.Validate();
                return defaults;
            }

            byte[] content;
            try
            {
                // Checked before reading: the file is read whole.
                MainConfig.CheckFileSize(displayName ?? path, new FileInfo(path).Length, board);

                content = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigException(displayName ?? path, 0, "cannot read: " + e.Message);
            }

            return MainConfig.Parse(content, content.Length, displayName ?? path, board);
        }

        /// <summary>"name = value" for every parameter the file set, sorted by name, as `postconf -n` prints them.</summary>
        public static List<string> Explicit(MainConfig config)
        {
            var lines = new List<string>();
            for (int i = 0; i < Parameters.Count; i++)
            {
                Parameter parameter = Parameters.At(i);
                if (config.IsSet(parameter))
                {
                    lines.Add(parameter.Name + " = " + config.GetRaw(parameter));
                }
            }

            lines.Sort(StringComparer.Ordinal);
            return lines;
        }
    }
}

using System;

namespace Emailcore.Nano.Config
{
    /// <summary>A configuration error, located as "file:line: message" like a compiler's.</summary>
    public class ConfigException : Exception
    {
        public ConfigException(string file, int line, string message) : base(Locate(file, line) + message)
        {
            File = file;
            Line = line;
            Reason = message;
        }

        public string File { get; }

        /// <summary>1-based line number, or 0 when the error has no single line (a default value, say).</summary>
        public int Line { get; }

        public string Reason { get; }

        private static string Locate(string file, int line)
        {
            return line > 0 ? file + ":" + line.ToString() + ": " : file + ": ";
        }
    }
}

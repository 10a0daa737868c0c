#nullable disable
using System.Collections;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>Log lines kept for assertions; thread-safe.</summary>
    public sealed class ListLog : ILog
    {
        private readonly ArrayList _lines = new ArrayList();

        /// <summary>The lines so far, as a copy.</summary>
        public string[] Lines
        {
            get
            {
                lock (_lines)
                {
                    var copy = new string[_lines.Count];
                    _lines.CopyTo(copy, 0);
                    return copy;
                }
            }
        }

        /// <summary>All lines joined with LF.</summary>
        public string All
        {
            get
            {
                string all = "";
                string[] lines = Lines;
                for (int i = 0; i < lines.Length; i++)
                {
                    all += (i == 0 ? "" : "\n") + lines[i];
                }

                return all;
            }
        }

        public void Write(LogLevel level, string line)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }
}

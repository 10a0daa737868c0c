using System.Collections.Generic;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>Log lines kept for assertions.</summary>
    public sealed class ListLog : Emailcore.Nano.Platform.ILog
    {
        public List<string> Lines { get; } = new();

        public string All
        {
            get
            {
                lock (Lines)
                {
                    return string.Join("\n", Lines);
                }
            }
        }

        public void Write(Emailcore.Nano.Platform.LogLevel level, string line)
        {
            lock (Lines)
            {
                Lines.Add(line);
            }
        }
    }
}

using System;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Host.Platform
{
    /// <summary>Log lines to standard error, prefixed like syslog's maillog: time, program, level.</summary>
    public sealed class ConsoleLog : ILog
    {
        private readonly object _gate = new();
        private readonly LogLevel _minimum;

        public ConsoleLog(LogLevel minimum = LogLevel.Info)
        {
            _minimum = minimum;
        }

        public void Write(LogLevel level, string line)
        {
            if (level < _minimum)
            {
                return;
            }

            string prefix = level switch
            {
                LogLevel.Warning => "warning: ",
                LogLevel.Error => "error: ",
                _ => string.Empty,
            };
            lock (_gate)
            {
                Console.Error.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} emailcore: {prefix}{line}");
            }
        }
    }
}

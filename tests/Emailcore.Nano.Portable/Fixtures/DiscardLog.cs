#nullable disable
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>A board's log goes to the debug port and is not kept; neither is this one (heap figures, benchmarks).</summary>
    public sealed class DiscardLog : ILog
    {
        public void Write(LogLevel level, string line)
        {
        }
    }
}

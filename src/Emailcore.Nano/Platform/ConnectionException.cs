using System;

namespace Emailcore.Nano.Platform
{
    /// <summary>A network or TLS failure reported by a platform binding, with text fit for a log line or a DSN.</summary>
    public class ConnectionException : Exception
    {
        public ConnectionException(string message) : base(message)
        {
        }

        public ConnectionException(string message, Exception inner) : base(message, inner)
        {
        }
    }
}

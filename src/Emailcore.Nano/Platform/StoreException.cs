using System;

namespace Emailcore.Nano.Platform
{
    /// <summary>A file-store failure (missing file, full medium, I/O error).</summary>
    public class StoreException : Exception
    {
        public StoreException(string message) : base(message)
        {
        }

        public StoreException(string message, Exception inner) : base(message, inner)
        {
        }
    }
}

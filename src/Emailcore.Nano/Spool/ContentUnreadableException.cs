using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Spool
{
    /// <summary>
    /// A queued message whose records cannot be read back (damaged medium, I/O error): the spool has held it, so it
    /// is not tried again until the relay restarts, and logged that once. A caller stops using the content at
    /// once (the SMTP client aborts the connection it was sending on) and records no outcome from it.
    /// </summary>
    public sealed class ContentUnreadableException : StoreException
    {
        public ContentUnreadableException(string message, StoreException inner) : base(message, inner)
        {
        }
    }
}

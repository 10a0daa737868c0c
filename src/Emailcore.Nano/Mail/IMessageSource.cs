namespace Emailcore.Nano.Mail
{
    /// <summary>
    /// A stored message's content as the SMTP client sends it: read in chunks, never held whole.
    /// The spool implements it; the relay hands it to the client.
    /// </summary>
    public interface IMessageSource
    {
        /// <summary>The content's size in bytes (for RFC 1870 SIZE).</summary>
        long Length { get; }

        /// <summary>Reads the next bytes into the caller's buffer; 0 at the end.</summary>
        int Read(byte[] buffer, int offset, int count);

        /// <summary>Starts again from the first byte (a retry on a new connection).</summary>
        void Rewind();
    }
}

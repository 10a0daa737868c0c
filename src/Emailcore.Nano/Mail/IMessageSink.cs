namespace Emailcore.Nano.Mail
{
    /// <summary>
    /// Where a received message goes: the spool on a relay, memory in tests. One sink per session,
    /// one message at a time. The server answers 250 to the final dot only after <see cref="Commit"/>
    /// returned true, so an acknowledged message is never lost.
    /// </summary>
    public interface IMessageSink
    {
        /// <summary>Whether a message of <paramref name="declaredSize"/> bytes (RFC 1870 SIZE, -1 when unknown) fits now; false → 452 4.3.1 at MAIL.</summary>
        bool HasRoom(long declaredSize);

        /// <summary>Starts a message for the envelope; returns its queue id, or -1 when the store is full (452 4.3.1).</summary>
        long Open(Envelope envelope);

        /// <summary>Appends message bytes as received after dot-unstuffing; false when the store filled up.</summary>
        bool Write(byte[] buffer, int offset, int count);

        /// <summary>Makes the message durable; true only when it is. False leaves nothing behind (the caller answers 452).</summary>
        bool Commit();

        /// <summary>Drops the open message; nothing of it remains.</summary>
        void Abort();
    }

    /// <summary>Hands each new session its own sink.</summary>
    public interface IMessageStore
    {
        IMessageSink CreateSink();
    }
}

namespace Emailcore.Nano.Platform
{
    /// <summary>
    /// The usable TLSA records of one server, each in its RFC 6698 §2.1 wire form (usage, selector, matching type,
    /// association data), which a client handshake matches instead of the usual root-and-name check (RFC 7672 §3). Made and
    /// matched by the host (Host/Policy, Host/Platform/DaneMatch); a TLS binding that cannot see the server's certificate (a
    /// board's) refuses a handshake that carries them.
    /// </summary>
    public sealed class TlsaRecords
    {
        public TlsaRecords(byte[][] records)
        {
            Records = records;
        }

        public byte[][] Records { get; }
    }
}

namespace Emailcore.Nano.Platform
{
    /// <summary>
    /// Recognises a TLS client's first flight from its first bytes, so a platform whose handshake cannot be timed
    /// (a board: one blocking native call) starts it only once the whole ClientHello record has arrived.
    /// RFC 8446 §5.1 (RFC 5246 §6.2.1): a record is type (22 = handshake), legacy_record_version (3.x), a 16-bit
    /// length of at most 2^14; §4: its first handshake message is client_hello (1).
    /// </summary>
    public static class TlsClientHello
    {
        /// <summary>Bytes to look at: the record header and the handshake message type.</summary>
        public const int PeekLength = 6;

        private const int MaxFragment = 16384;
        private const int HeaderLength = 5;

        /// <summary>
        /// The bytes of the record that <paramref name="peeked"/> (<see cref="PeekLength"/> bytes) begins, header
        /// included; -1 when they cannot begin a ClientHello (plaintext SMTP, SSL 2, anything else).
        /// </summary>
        public static int RecordLength(byte[] peeked, int offset)
        {
            if (peeked[offset] != 22 || peeked[offset + 1] != 3 || peeked[offset + 5] != 1)
            {
                return -1;
            }

            int length = (peeked[offset + 3] << 8) | peeked[offset + 4];
            return length == 0 || length > MaxFragment ? -1 : HeaderLength + length;
        }
    }
}

namespace Emailcore.Nano.Spool
{
    /// <summary>
    /// The on-store record layout (docs/spool-format.md): a 16-byte header, the payload, a CRC-32 trailer over
    /// header and payload. All integers are little-endian.
    /// <code>
    /// 0  magic 0xEC 0x51    2  type    3  flags (0)    4  payload length (u32)
    /// 8  sequence (u32)     12 message id (u32, 0 for segment headers)
    /// </code>
    /// </summary>
    public static class Record
    {
        public const int FormatVersion = 1;
        public const byte Magic0 = 0xEC;
        public const byte Magic1 = 0x51;
        public const int HeaderSize = 16;
        public const int TrailerSize = 4;
        public const int Overhead = HeaderSize + TrailerSize;

        /// <summary>First record of every segment: format version (u16), reserved (u16), segment number (u32).</summary>
        public const int SegmentHeader = 0;

        /// <summary>A message's envelope; starts the message (layout in <see cref="EnvelopeCodec"/>).</summary>
        public const int Envelope = 1;

        /// <summary>Message content bytes, in order.</summary>
        public const int Chunk = 2;

        /// <summary>Total content length (u64) and chunk count (u32): the message is queued once this record is synced.</summary>
        public const int Commit = 3;

        /// <summary>The sink gave the message up: its records are garbage (a hint; without it recovery drops them too).</summary>
        public const int Abort = 4;

        /// <summary>A recipient's new state: index (u16), state (u8), attempts (u8), next attempt ticks (i64), reply length (u16), reply.</summary>
        public const int State = 5;

        /// <summary>Only in the queue-id counter files, never in a segment: the first id not yet reserved (u32).</summary>
        public const int IdsReserved = 6;

        public const int SegmentHeaderPayload = 8;
        public const int CommitPayload = 12;
        public const int StateFixedPayload = 14;

        public static bool IsKnownType(int type)
        {
            return type >= SegmentHeader && type <= State;
        }

        public static void WriteHeader(byte[] into, int offset, int type, int payloadLength, uint sequence, long id)
        {
            into[offset] = Magic0;
            into[offset + 1] = Magic1;
            into[offset + 2] = (byte)type;
            into[offset + 3] = 0;
            PutU32(into, offset + 4, (uint)payloadLength);
            PutU32(into, offset + 8, sequence);
            PutU32(into, offset + 12, (uint)id);
        }

        public static void PutU16(byte[] into, int offset, int value)
        {
            into[offset] = (byte)value;
            into[offset + 1] = (byte)(value >> 8);
        }

        public static void PutU32(byte[] into, int offset, uint value)
        {
            into[offset] = (byte)value;
            into[offset + 1] = (byte)(value >> 8);
            into[offset + 2] = (byte)(value >> 16);
            into[offset + 3] = (byte)(value >> 24);
        }

        public static void PutI64(byte[] into, int offset, long value)
        {
            PutU32(into, offset, (uint)value);
            PutU32(into, offset + 4, (uint)(value >> 32));
        }

        public static int GetU16(byte[] from, int offset)
        {
            return from[offset] | (from[offset + 1] << 8);
        }

        public static uint GetU32(byte[] from, int offset)
        {
            return (uint)(from[offset] | (from[offset + 1] << 8) | (from[offset + 2] << 16) | (from[offset + 3] << 24));
        }

        public static long GetI64(byte[] from, int offset)
        {
            return (long)GetU32(from, offset) | ((long)GetU32(from, offset + 4) << 32);
        }
    }
}

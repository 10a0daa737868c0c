using Emailcore.Nano.Mail;

namespace Emailcore.Nano.Spool
{
    /// <summary>
    /// The envelope record's payload (docs/spool-format.md): arrival ticks (i64), declared SIZE (i64), recipient
    /// count (u16), BODY (u8), RET (u8), SMTPUTF8 (u8), reserved (u8), then the reverse-path and ENVID as u16
    /// length + bytes, then per recipient NOTIFY (u8), address and ORCPT as u16 length + bytes. The fixed part
    /// comes first so recovery indexes a message from the record's first bytes.
    /// </summary>
    internal static class EnvelopeCodec
    {
        public const int FixedSize = 22;

        public static int Measure(Envelope envelope)
        {
            int size = FixedSize + 2 + envelope.ReversePathLength + 2 + envelope.EnvIdLength;
            for (int i = 0; i < envelope.RecipientCount; i++)
            {
                size += 1 + 2 + envelope.RecipientLength(i) + 2 + envelope.OrcptLength(i);
            }

            return size;
        }

        public static void Write(Envelope envelope, long arrivalTicks, RecordWriter writer)
        {
            byte[] arena = envelope.Arena;
            writer.PutI64(arrivalTicks);
            writer.PutI64(envelope.DeclaredSize);
            writer.PutU16(envelope.RecipientCount);
            writer.PutU8((int)envelope.Body);
            writer.PutU8((int)envelope.Ret);
            writer.PutU8(envelope.SmtpUtf8 ? 1 : 0);
            writer.PutU8(0);
            PutField(writer, arena, envelope.ReversePathOffset, envelope.ReversePathLength);
            PutField(writer, arena, envelope.EnvIdOffset, envelope.EnvIdLength);
            for (int i = 0; i < envelope.RecipientCount; i++)
            {
                writer.PutU8(envelope.RecipientNotify(i));
                PutField(writer, arena, envelope.RecipientOffset(i), envelope.RecipientLength(i));
                PutField(writer, arena, envelope.OrcptOffset(i), envelope.OrcptLength(i));
            }
        }

        /// <summary>Fills <paramref name="into"/> from a payload; false when the payload is malformed or the envelope too small for it.</summary>
        public static bool Read(byte[] payload, int length, Envelope into)
        {
            into.Clear();
            if (length < FixedSize)
            {
                return false;
            }

            into.DeclaredSize = Record.GetI64(payload, 8);
            int recipients = Record.GetU16(payload, 16);
            into.Body = (BodyType)payload[18];
            into.Ret = (DsnReturn)payload[19];
            into.SmtpUtf8 = payload[20] != 0;
            int at = FixedSize;
            int pathAt = at + 2;
            int pathLength = FieldLength(payload, length, at);
            if (pathLength < 0 || !into.SetReversePath(payload, pathAt, pathLength))
            {
                return false;
            }

            at = pathAt + pathLength;
            int envIdLength = FieldLength(payload, length, at);
            if (envIdLength < 0 || !into.SetEnvId(payload, at + 2, envIdLength))
            {
                return false;
            }

            at += 2 + envIdLength;
            for (int i = 0; i < recipients; i++)
            {
                if (at >= length)
                {
                    return false;
                }

                int notify = payload[at];
                int addressAt = at + 1;
                int addressLength = FieldLength(payload, length, addressAt);
                if (addressLength < 0)
                {
                    return false;
                }

                int orcptAt = addressAt + 2 + addressLength;
                int orcptLength = FieldLength(payload, length, orcptAt);
                if (orcptLength < 0 || !into.AddRecipient(payload, addressAt + 2, addressLength, notify, payload, orcptAt + 2, orcptLength))
                {
                    return false;
                }

                at = orcptAt + 2 + orcptLength;
            }

            return at == length;
        }

        /// <summary>The u16-prefixed field's length at <paramref name="at"/>, or -1 when it runs past the payload.</summary>
        private static int FieldLength(byte[] payload, int length, int at)
        {
            if (at + 2 > length)
            {
                return -1;
            }

            int n = Record.GetU16(payload, at);
            return at + 2 + n <= length ? n : -1;
        }

        private static void PutField(RecordWriter writer, byte[] arena, int offset, int length)
        {
            writer.PutU16(length);
            writer.Put(arena, offset, length);
        }
    }
}

namespace Emailcore.Nano.Mail
{
    /// <summary>Queue ids as the logs, the replies and `emailcore queue` show them: upper-case hex, at least 6 digits.</summary>
    public static class QueueId
    {
        public const int MaxLength = 16;

        /// <summary>Writes the id; returns the number of bytes written.</summary>
        public static int Write(long id, byte[] into, int offset)
        {
            int digits = 6;
            while (digits < 16 && (id >> (digits * 4)) != 0)
            {
                digits++;
            }

            for (int i = digits - 1; i >= 0; i--)
            {
                int nibble = (int)(id >> ((digits - 1 - i) * 4)) & 0xF;
                into[offset + i] = (byte)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);
            }

            return digits;
        }

        public static string Format(long id)
        {
            byte[] buffer = new byte[MaxLength];
            int n = Write(id, buffer, 0);
            return Text.Ascii.GetString(buffer, 0, n);
        }
    }
}

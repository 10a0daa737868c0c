namespace Emailcore.Nano.Mail
{
    /// <summary>
    /// Reads the header section (RFC 5322 §2.1: up to the first empty line) of a stored message in chunks,
    /// never holding the message whole.
    /// </summary>
    public static class HeaderSection
    {
        private const string Received = "received:";

        /// <summary>Counts "Received:" fields, the hop count of RFC 5321 §6.3 loop detection.</summary>
        public static int CountReceived(IMessageSource source, byte[] buffer)
        {
            source.Rewind();
            int count = 0;
            int match = 0;
            bool lineStart = true;
            bool empty = true;
            int n;
            while ((n = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    byte c = buffer[i];
                    if (c == '\n')
                    {
                        if (empty)
                        {
                            return count;
                        }

                        lineStart = true;
                        empty = true;
                        match = 0;
                        continue;
                    }

                    if (c != '\r')
                    {
                        empty = false;
                    }

                    if (lineStart)
                    {
                        if (match < Received.Length && Text.Ascii.ToLower(c) == Received[match])
                        {
                            match++;
                            if (match == Received.Length)
                            {
                                count++;
                                lineStart = false;
                            }
                        }
                        else
                        {
                            lineStart = false;
                        }
                    }
                }
            }

            return count;
        }

        /// <summary>Copies the header section, without the empty line that ends it, to the writer.</summary>
        public static void CopyHeaders(IMessageSource source, byte[] buffer, MessageWriter into)
        {
            source.Rewind();
            bool lineEnd = true;
            bool pendingCr = false;
            int n;
            while ((n = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    byte c = buffer[i];
                    if (c == '\r')
                    {
                        if (pendingCr)
                        {
                            into.AppendByte((byte)'\r');
                        }

                        pendingCr = true;
                        continue;
                    }

                    if (c == '\n' && lineEnd)
                    {
                        return;
                    }

                    if (pendingCr)
                    {
                        into.AppendByte((byte)'\r');
                        pendingCr = false;
                    }

                    into.AppendByte(c);
                    lineEnd = c == '\n';
                }
            }
        }
    }
}

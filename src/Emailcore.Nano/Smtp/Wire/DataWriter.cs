using Emailcore.Nano.Text;

namespace Emailcore.Nano.Smtp.Wire
{
    /// <summary>
    /// The sending half of DATA transparency, a state machine over the content in pieces of any size: a leading
    /// dot is doubled (RFC 5321 §4.5.2) and every line ends with CRLF, a bare CR or LF included (RFC 5321 §2.3.8);
    /// <see cref="End"/> closes the last line and writes the final dot. Its state is an int the caller keeps, so a
    /// board's heap holds no object for it.
    /// </summary>
    public static class DataWriter
    {
        /// <summary>The state at the start of a message: at a line start.</summary>
        public const int Start = 0;

        private const int InLine = 1;
        private const int AfterCr = 2;

        /// <summary>Writes a piece of the content to <paramref name="output"/>; returns the state for the next piece.</summary>
        public static int Write(BufferedWriter output, byte[] buffer, int offset, int count, int state)
        {
            for (int i = offset; i < offset + count; i++)
            {
                byte c = buffer[i];
                if (state == AfterCr)
                {
                    state = Start;
                    if (c == '\n')
                    {
                        continue;
                    }
                }

                if (c == '\r' || c == '\n')
                {
                    output.AppendCrLf();
                    state = c == '\r' ? AfterCr : Start;
                    continue;
                }

                if (state == Start && c == '.')
                {
                    output.AppendByte((byte)'.');
                }

                output.AppendByte(c);
                state = InLine;
            }

            return state;
        }

        /// <summary>Ends the last line if it is open and writes the end of the data, CRLF "." CRLF (RFC 5321 §4.1.1.4).</summary>
        public static void End(BufferedWriter output, int state)
        {
            if (state == InLine)
            {
                output.AppendCrLf();
            }

            output.Append(".");
            output.AppendCrLf();
        }
    }
}

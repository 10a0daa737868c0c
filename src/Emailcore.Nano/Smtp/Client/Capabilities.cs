using Emailcore.Nano.Text;

namespace Emailcore.Nano.Smtp.Client
{
    /// <summary>What the server's EHLO reply offered (RFC 5321 §4.1.1.1 and the extensions' RFCs).</summary>
    public sealed class Capabilities
    {
        public bool Esmtp { get; private set; }

        public bool Pipelining { get; private set; }

        public bool StartTls { get; private set; }

        public bool EightBitMime { get; private set; }

        public bool SmtpUtf8 { get; private set; }

        public bool EnhancedStatusCodes { get; private set; }

        public bool Dsn { get; private set; }

        public bool Chunking { get; private set; }

        /// <summary>RFC 1870 SIZE: the server's limit, 0 for "no fixed limit", -1 when SIZE was not offered.</summary>
        public long Size { get; private set; }

        public bool AuthPlain { get; private set; }

        public bool AuthLogin { get; private set; }

        public bool AuthXoauth2 { get; private set; }

        public void Clear(bool esmtp)
        {
            Esmtp = esmtp;
            Pipelining = false;
            StartTls = false;
            EightBitMime = false;
            SmtpUtf8 = false;
            EnhancedStatusCodes = false;
            Dsn = false;
            Chunking = false;
            Size = -1;
            AuthPlain = false;
            AuthLogin = false;
            AuthXoauth2 = false;
        }

        /// <summary>Takes one EHLO reply line's text: "SIZE 10240000", "AUTH PLAIN LOGIN", ... The first line is the greeting name.</summary>
        public void Add(byte[] b, int offset, int count)
        {
            int end = offset + count;
            int word = offset;
            while (word < end && b[word] != ' ' && b[word] != '=')
            {
                word++;
            }

            int length = word - offset;
            if (Is(b, offset, length, "PIPELINING"))
            {
                Pipelining = true;
            }
            else if (Is(b, offset, length, "STARTTLS"))
            {
                StartTls = true;
            }
            else if (Is(b, offset, length, "8BITMIME"))
            {
                EightBitMime = true;
            }
            else if (Is(b, offset, length, "SMTPUTF8"))
            {
                SmtpUtf8 = true;
            }
            else if (Is(b, offset, length, "ENHANCEDSTATUSCODES"))
            {
                EnhancedStatusCodes = true;
            }
            else if (Is(b, offset, length, "DSN"))
            {
                Dsn = true;
            }
            else if (Is(b, offset, length, "CHUNKING"))
            {
                Chunking = true;
            }
            else if (Is(b, offset, length, "SIZE"))
            {
                long size;
                Size = word + 1 < end && Ascii.TryParseDecimal(b, word + 1, end - word - 1, long.MaxValue, out size) ? size : 0;
            }
            else if (Is(b, offset, length, "AUTH"))
            {
                // "AUTH PLAIN LOGIN" (and the pre-RFC 4954 "AUTH=PLAIN LOGIN" some servers still send).
                int p = word + 1;
                while (p < end)
                {
                    int start = p;
                    while (p < end && b[p] != ' ')
                    {
                        p++;
                    }

                    AuthPlain |= Is(b, start, p - start, "PLAIN");
                    AuthLogin |= Is(b, start, p - start, "LOGIN");
                    AuthXoauth2 |= Is(b, start, p - start, "XOAUTH2");
                    p++;
                }
            }
        }

        private static bool Is(byte[] b, int offset, int length, string keyword)
        {
            return Ascii.EqualsIgnoreCase(b, offset, length, keyword);
        }
    }
}

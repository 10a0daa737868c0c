namespace Emailcore.Nano.Config
{
    /// <summary>Domain-name syntax (RFC 5321 §4.1.2 Domain, RFC 1035 §2.3.4 limits).</summary>
    public static class DomainName
    {
        /// <summary>
        /// Letter-digit-hyphen labels of 1-63 octets, at most 253 in all, no trailing dot, and a top-level
        /// label that is not all digits (RFC 3696 §2), so "192.0.2.1" is an address, never a name.
        /// </summary>
        public static bool IsValid(string name)
        {
            return name != null && IsValid(Text.Ascii.GetBytes(name), 0, name.Length, false);
        }

        /// <summary>RFC 6761 §6.3: "localhost" and the names under it (any case) are the local host, whatever DNS says.</summary>
        public static bool IsLocalhost(byte[] name, int offset, int count)
        {
            const int Length = 9;
            if (count < Length || !Text.Ascii.EqualsIgnoreCase(name, offset + count - Length, Length, "localhost"))
            {
                return false;
            }

            return count == Length || name[offset + count - Length - 1] == '.';
        }

        /// <summary>
        /// The same over bytes, allocation-free for wire parsing. With <paramref name="allowUtf8"/> octets above
        /// 0x7F count as letters, so U-labels pass (RFC 6531 §3.3 with SMTPUTF8).
        /// </summary>
        public static bool IsValid(byte[] name, int offset, int count, bool allowUtf8)
        {
            if (count <= 0 || count > 253)
            {
                return false;
            }

            int end = offset + count;
            int labelStart = offset;
            bool labelAllDigits = true;
            for (int i = offset; i <= end; i++)
            {
                if (i == end || name[i] == '.')
                {
                    int length = i - labelStart;
                    if (length < 1 || length > 63 || name[labelStart] == '-' || name[i - 1] == '-')
                    {
                        return false;
                    }

                    if (i == end && labelAllDigits)
                    {
                        return false;
                    }

                    labelStart = i + 1;
                    labelAllDigits = true;
                    continue;
                }

                byte c = name[i];
                bool ldh = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || (allowUtf8 && c >= 0x80);
                if (!ldh)
                {
                    return false;
                }

                labelAllDigits &= c >= '0' && c <= '9';
            }

            return true;
        }

        /// <summary>RFC 5321 §2.3.5: a fully qualified name, so at least two labels.</summary>
        public static bool IsFullyQualified(string name)
        {
            return IsValid(name) && name.IndexOf('.') > 0;
        }
    }
}

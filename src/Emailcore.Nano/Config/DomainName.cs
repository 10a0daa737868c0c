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
            if (name == null || name.Length == 0 || name.Length > 253)
            {
                return false;
            }

            int labelStart = 0;
            bool labelAllDigits = true;
            for (int i = 0; i <= name.Length; i++)
            {
                if (i == name.Length || name[i] == '.')
                {
                    int length = i - labelStart;
                    if (length < 1 || length > 63 || name[labelStart] == '-' || name[i - 1] == '-')
                    {
                        return false;
                    }

                    if (i == name.Length && labelAllDigits)
                    {
                        return false;
                    }

                    labelStart = i + 1;
                    labelAllDigits = true;
                    continue;
                }

                char c = name[i];
                bool ldh = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
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

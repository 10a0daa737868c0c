using Emailcore.Nano.Config;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Mail
{
    /// <summary>
    /// An address for a header we write, with an optional display name: "Rack 3 &lt;board@lan.example&gt;".
    /// Only ASCII addresses (RFC 5321 §4.1.2): messages we compose never need SMTPUTF8.
    /// </summary>
    public sealed class Mailbox
    {
        // RFC 5321 §4.5.3.1.1 / §4.5.3.1.3: local part 64 octets, path 256 with the angle brackets.
        private const int MaxLocalPart = 64;
        private const int MaxAddress = 254;

        public Mailbox(string address, string displayName)
        {
            Address = address;
            DisplayName = displayName == null ? string.Empty : displayName;
        }

        public string Address { get; }

        /// <summary>Empty when there is none; any Unicode text, written as RFC 2047 encoded-words when not plain ASCII.</summary>
        public string DisplayName { get; }

        /// <summary>
        /// Reads "addr", "&lt;addr&gt;" or "Name &lt;addr&gt;" (the name optionally in double quotes); null when the text has
        /// no such shape or the address is not valid. No allocation beyond the parts.
        /// </summary>
        public static Mailbox Parse(string text)
        {
            if (text == null)
            {
                return null;
            }

            text = text.Trim();
            string address = text;
            string name = string.Empty;
            int open = text.LastIndexOf('<');
            if (open >= 0)
            {
                if (text[text.Length - 1] != '>')
                {
                    return null;
                }

                address = text.Substring(open + 1, text.Length - open - 2);
                name = text.Substring(0, open).Trim();
                if (name.Length >= 2 && name[0] == '"' && name[name.Length - 1] == '"')
                {
                    name = name.Substring(1, name.Length - 2);
                }
            }

            return IsValidAddress(address) && HeaderWriter.IsSafe(name) ? new Mailbox(address, name) : null;
        }

        /// <summary>
        /// RFC 5321 §4.1.2 Mailbox in ASCII: a dot-string or quoted-string local part, "@", and a domain or an address
        /// literal (§4.1.3), within the §4.5.3.1 limits. Anything that could break out of a header or a command is refused.
        /// </summary>
        public static bool IsValidAddress(string address)
        {
            if (address == null || address.Length == 0 || address.Length > MaxAddress)
            {
                return false;
            }

            int at = address.LastIndexOf('@');
            if (at <= 0 || at > MaxLocalPart || at == address.Length - 1)
            {
                return false;
            }

            return IsLocalPart(address, at) && IsDomain(address, at + 1);
        }

        private static bool IsLocalPart(string s, int end)
        {
            if (s[0] == '"')
            {
                // Quoted-string: qtextSMTP (%d32-33 / %d35-91 / %d93-126) or a backslash pair of any printable.
                if (end < 2 || s[end - 1] != '"')
                {
                    return false;
                }

                for (int i = 1; i < end - 1; i++)
                {
                    char c = s[i];
                    if (c == '\\')
                    {
                        i++;
                        if (i >= end - 1 || s[i] < 32 || s[i] > 126)
                        {
                            return false;
                        }
                    }
                    else if (c < 32 || c > 126 || c == '"')
                    {
                        return false;
                    }
                }

                return true;
            }

            // Dot-string: atoms of atext separated by single dots.
            bool atomStart = true;
            for (int i = 0; i < end; i++)
            {
                char c = s[i];
                if (c == '.')
                {
                    if (atomStart)
                    {
                        return false;
                    }

                    atomStart = true;
                    continue;
                }

                if (!IsAtext(c))
                {
                    return false;
                }

                atomStart = false;
            }

            return !atomStart;
        }

        private static bool IsDomain(string s, int start)
        {
            string domain = s.Substring(start);
            if (domain[0] != '[')
            {
                return DomainName.IsValid(domain);
            }

            if (domain[domain.Length - 1] != ']')
            {
                return false;
            }

            string literal = domain.Substring(1, domain.Length - 2);
            bool v6 = literal.Length > 5 && Text.Ascii.EqualsIgnoreCase(literal.Substring(0, 5), "IPv6:");
            if (v6)
            {
                literal = literal.Substring(5);
            }

            byte[] bytes = Text.Ascii.GetBytes(literal);
            var endpoint = new Endpoint();
            return IPAddressText.TryParse(bytes, 0, bytes.Length, endpoint) && endpoint.IsIPv6 == v6;
        }

        /// <summary>RFC 5322 §3.2.3 atext.</summary>
        public static bool IsAtext(char c)
        {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-/=?^_`{|}~".IndexOf(c) >= 0;
        }
    }
}

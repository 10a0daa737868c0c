using System.Collections.Generic;
using System.Text;

namespace Emailcore.Nano.Host.Submit
{
    /// <summary>
    /// The addr-specs of an RFC 5322 §3.4 address-list as sendmail -t needs them: "Name &lt;a@b&gt;", "a@b (comment)",
    /// quoted display names with commas, and groups ("undisclosed-recipients:;", "team: a@b, c@d;").
    /// </summary>
    public static class AddressList
    {
        public static List<string> Parse(string value)
        {
            var addresses = new List<string>();
            var bare = new StringBuilder();
            string? angle = null;
            int depth = 0;
            bool quoted = false;
            for (int i = 0; i <= value.Length; i++)
            {
                char c = i < value.Length ? value[i] : ',';
                if (quoted)
                {
                    if (c == '\\')
                    {
                        i++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                    }

                    if (angle == null)
                    {
                        bare.Append(c);
                    }

                    continue;
                }

                if (depth > 0)
                {
                    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                    i += c == '\\' ? 1 : 0;
                    continue;
                }

                switch (c)
                {
                    case '"':
                        quoted = true;
                        bare.Append(c);
                        break;
                    case '(':
                        depth = 1;
                        break;
                    case '<':
                        int close = value.IndexOf('>', i + 1);
                        angle = close < 0 ? value.Substring(i + 1) : value.Substring(i + 1, close - i - 1);
                        i = close < 0 ? value.Length : close;
                        break;
                    case ':':
                        // A group's display name: what came before is not an address.
                        bare.Clear();
                        break;
                    case ',':
                    case ';':
                        string address = (angle ?? bare.ToString()).Trim();
                        if (address.Length > 0 && (angle != null || address.IndexOf(' ') < 0))
                        {
                            addresses.Add(address);
                        }

                        bare.Clear();
                        angle = null;
                        break;
                    default:
                        bare.Append(c);
                        break;
                }
            }

            return addresses;
        }
    }
}

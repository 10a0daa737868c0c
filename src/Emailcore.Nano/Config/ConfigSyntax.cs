using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Config
{
    /// <summary>The value forms of main.cf parameters; each check returns null or the reason the value is bad.</summary>
    public static class ConfigSyntax
    {
        public static string Check(Parameter parameter, string value)
        {
            switch (parameter.Kind)
            {
                case ParameterKind.Bool:
                    return value == "yes" || value == "no" || value == "true" || value == "false" ? null : "expected yes or no, not \"" + value + "\"";
                case ParameterKind.Count:
                    int count;
                    return Ascii.TryParseDecimal(value, int.MaxValue, out count) ? null : "expected a whole number, not \"" + value + "\"";
                case ParameterKind.Size:
                    long size;
                    return Ascii.TryParseDecimal(value, long.MaxValue, out size) ? null : "expected a size in bytes, not \"" + value + "\"";
                case ParameterKind.Time:
                    int seconds;
                    return TryParseTime(value, out seconds) ? null : "expected a time such as 300s, 5m, 4h or 5d, not \"" + value + "\"";
                case ParameterKind.Choice:
                    return IsChoice(parameter.Choices, value) ? null : "expected one of " + ListChoices(parameter.Choices) + ", not \"" + value + "\"";
                case ParameterKind.HostName:
                    return value.Length == 0 || DomainName.IsFullyQualified(value) ? null : "\"" + value + "\" is not a fully qualified host name";
                case ParameterKind.DomainList:
                    return CheckEach(value, parameter.Kind);
                case ParameterKind.NetworkList:
                    return CheckEach(value, parameter.Kind);
                case ParameterKind.ListenList:
                    return CheckEach(value, parameter.Kind);
                case ParameterKind.EndpointList:
                    return CheckEach(value, parameter.Kind);
                case ParameterKind.NextHop:
                    return value.Length == 0 || NextHop.Parse(value) != null ? null : "\"" + value + "\" is not a next hop ([host]:port, host:port or host)";
                default:
                    return null;
            }
        }

        /// <summary>Postfix time syntax: a number and an optional unit s, m, h, d or w; seconds when absent.</summary>
        public static bool TryParseTime(string value, out int seconds)
        {
            seconds = 0;
            if (value == null || value.Length == 0)
            {
                return false;
            }

            int unit = 1;
            string digits = value;
            char last = value[value.Length - 1];
            if (last < '0' || last > '9')
            {
                switch (last)
                {
                    case 's': unit = 1; break;
                    case 'm': unit = 60; break;
                    case 'h': unit = 3600; break;
                    case 'd': unit = 86400; break;
                    case 'w': unit = 604800; break;
                    default: return false;
                }

                digits = value.Substring(0, value.Length - 1);
            }

            long number;
            if (!Ascii.TryParseDecimal(digits, int.MaxValue / unit, out number))
            {
                return false;
            }

            seconds = (int)number * unit;
            return true;
        }

        /// <summary>Splits a list on commas and white space, dropping empty items.</summary>
        public static string[] SplitList(string value)
        {
            int count = 0;
            bool inItem = false;
            for (int i = 0; i < value.Length; i++)
            {
                bool separator = IsSeparator(value[i]);
                if (!separator && !inItem)
                {
                    count++;
                }

                inItem = !separator;
            }

            string[] items = new string[count];
            int n = 0;
            int start = -1;
            for (int i = 0; i <= value.Length; i++)
            {
                bool separator = i == value.Length || IsSeparator(value[i]);
                if (!separator && start < 0)
                {
                    start = i;
                }
                else if (separator && start >= 0)
                {
                    items[n++] = value.Substring(start, i - start);
                    start = -1;
                }
            }

            return items;
        }

        private static bool IsSeparator(char c)
        {
            return c == ',' || c == ' ' || c == '\t';
        }

        private static bool IsChoice(string choices, string value)
        {
            string[] words = choices.Split('|');
            for (int i = 0; i < words.Length; i++)
            {
                if (words[i] == value)
                {
                    return true;
                }
            }

            return false;
        }

        private static string ListChoices(string choices)
        {
            string[] words = choices.Split('|');
            string list = words[0];
            for (int i = 1; i < words.Length; i++)
            {
                list += ", " + words[i];
            }

            return list;
        }

        private static string CheckEach(string value, ParameterKind kind)
        {
            string[] items = SplitList(value);
            var scratch = new Endpoint();
            for (int i = 0; i < items.Length; i++)
            {
                string item = items[i];
                bool ok;
                string expected;
                switch (kind)
                {
                    case ParameterKind.DomainList:
                        ok = DomainName.IsValid(item);
                        expected = "a domain name";
                        break;
                    case ParameterKind.NetworkList:
                        ok = AddressRange.Parse(item) != null;
                        expected = "a network such as 192.168.1.0/24 or [2001:db8::]/32";
                        break;
                    case ParameterKind.ListenList:
                        ok = ListenSpec.Parse(item) != null;
                        expected = "a listener such as 127.0.0.1:2525 or 0.0.0.0:465/smtps";
                        break;
                    default:
                        ok = Endpoint.TryParse(item, 53, scratch);
                        expected = "an address such as 192.0.2.53 or [2001:db8::53]:5353";
                        break;
                }

                if (!ok)
                {
                    return "\"" + item + "\" is not " + expected;
                }
            }

            return null;
        }
    }
}

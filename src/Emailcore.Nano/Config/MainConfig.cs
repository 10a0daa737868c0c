using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Config
{
    /// <summary>
    /// The effective settings: what main.cf set, over the defaults of the host or of a board.
    /// Values are kept as written and expanded ($name, ${name}, $(name)) when read, as Postfix does.
    /// </summary>
    public sealed class MainConfig
    {
        private const int MaxExpansionDepth = 8;

        private readonly string[] _values = new string[Parameters.Count];
        private readonly int[] _lines = new int[Parameters.Count];

        public MainConfig(bool board)
        {
            Board = board;
            FileName = "(defaults)";
        }

        /// <summary>True when the board's defaults apply, false for the host's.</summary>
        public bool Board { get; }

        public string FileName { get; private set; }

        /// <summary>
        /// Parses main.cf text (UTF-8) and checks every value, including the defaults it leaves alone.
        /// Throws <see cref="ConfigException"/> naming the file and line of the first problem.
        /// </summary>
        public static MainConfig Parse(byte[] content, int length, string fileName, bool board)
        {
            var config = new MainConfig(board);
            config.FileName = fileName;
            MainCfParser.Parse(content, length, config);
            config.Validate();
            return config;
        }

        /// <summary>Sets one parameter as if written on <paramref name="line"/> of the file; the value is checked by <see cref="Validate"/>.</summary>
        public void Set(string name, string value, int line)
        {
            Parameter parameter = Parameters.Find(name);
            if (parameter == null)
            {
                throw new ConfigException(FileName, line, "unknown parameter \"" + name + "\"");
            }

            _values[parameter.Index] = value;
            _lines[parameter.Index] = line;
        }

        public bool IsSet(Parameter parameter)
        {
            return _values[parameter.Index] != null;
        }

        /// <summary>The value as written, before $name expansion; the default when unset.</summary>
        public string GetRaw(Parameter parameter)
        {
            string value = _values[parameter.Index];
            if (value != null)
            {
                return value;
            }

            return Board ? parameter.BoardDefault : parameter.HostDefault;
        }

        public string GetString(Parameter parameter)
        {
            return Expand(parameter, GetRaw(parameter), 0);
        }

        public bool GetBool(Parameter parameter)
        {
            string v = GetString(parameter);
            return v == "yes" || v == "true";
        }

        public int GetCount(Parameter parameter)
        {
            int value;
            Ascii.TryParseDecimal(GetString(parameter), int.MaxValue, out value);
            return value;
        }

        public long GetSize(Parameter parameter)
        {
            long value;
            Ascii.TryParseDecimal(GetString(parameter), long.MaxValue, out value);
            return value;
        }

        public int GetSeconds(Parameter parameter)
        {
            int seconds;
            ConfigSyntax.TryParseTime(GetString(parameter), out seconds);
            return seconds;
        }

        /// <summary>A time parameter in milliseconds, the unit of the platform's timeouts.</summary>
        public int GetMilliseconds(Parameter parameter)
        {
            long ms = (long)GetSeconds(parameter) * 1000;
            return ms > int.MaxValue ? int.MaxValue : (int)ms;
        }

        /// <summary>A list parameter split on commas and white space.</summary>
        public string[] GetList(Parameter parameter)
        {
            return ConfigSyntax.SplitList(GetString(parameter));
        }

        /// <summary>The line that set the parameter (0: its default), for "file:line" errors found by the component that uses it.</summary>
        public int LineOf(Parameter parameter)
        {
            return _lines[parameter.Index];
        }

        /// <summary>Checks every parameter's effective value; throws at the first bad one.</summary>
        public void Validate()
        {
            for (int i = 0; i < Parameters.Count; i++)
            {
                Parameter parameter = Parameters.At(i);
                string value = GetString(parameter);
                string problem = ConfigSyntax.Check(parameter, value);
                if (problem != null)
                {
                    throw new ConfigException(FileName, _lines[i], parameter.Name + ": " + problem);
                }
            }
        }

        private string Expand(Parameter parameter, string value, int depth)
        {
            if (value.IndexOf('$') < 0)
            {
                return value;
            }

            if (depth >= MaxExpansionDepth)
            {
                throw new ConfigException(FileName, _lines[parameter.Index], parameter.Name + ": $name expansion loops");
            }

            string result = string.Empty;
            int p = 0;
            while (p < value.Length)
            {
                int dollar = value.IndexOf('$', p);
                if (dollar < 0)
                {
                    result += value.Substring(p);
                    break;
                }

                result += value.Substring(p, dollar - p);
                int start = dollar + 1;
                int end;
                int next;
                if (start < value.Length && (value[start] == '{' || value[start] == '('))
                {
                    char close = value[start] == '{' ? '}' : ')';
                    start++;
                    end = value.IndexOf(close, start);
                    if (end < 0)
                    {
                        throw new ConfigException(FileName, _lines[parameter.Index], parameter.Name + ": unbalanced \"" + value[start - 1] + "\" after $");
                    }

                    next = end + 1;
                }
                else
                {
                    end = start;
                    while (end < value.Length && IsNameChar(value[end]))
                    {
                        end++;
                    }

                    next = end;
                }

                string name = value.Substring(start, end - start);
                Parameter referenced = Parameters.Find(name);
                if (referenced == null)
                {
                    throw new ConfigException(FileName, _lines[parameter.Index], parameter.Name + ": $" + name + " is not a parameter");
                }

                result += Expand(parameter, GetRaw(referenced), depth + 1);
                p = next;
            }

            return result;
        }

        private static bool IsNameChar(char c)
        {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        }
    }
}

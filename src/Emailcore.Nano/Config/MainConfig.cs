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
        /// <summary>The longest main.cf taken on the host, in bytes.</summary>
        public const int HostFileLimit = 1048576;

        /// <summary>The longest main.cf taken on a board, in bytes: it is read whole into a heap of about 79 KB.</summary>
        public const int BoardFileLimit = 32768;

        /// <summary>The longest value after $name expansion on the host, in characters ("billion laughs" stop here).</summary>
        public const int HostValueLimit = 65536;

        /// <summary>The same on a board.</summary>
        public const int BoardValueLimit = 4096;

        private readonly string[] _values = new string[Parameters.Count];
        private readonly int[] _lines = new int[Parameters.Count];

        // Expanded values, each built once (so expansion is linear in what it produces); cleared by Set.
        private readonly string[] _expanded = new string[Parameters.Count];
        private readonly bool[] _expanding = new bool[Parameters.Count];

        public MainConfig(bool board)
        {
            Board = board;
            FileName = "(defaults)";
        }

        /// <summary>True when the board's defaults apply, false for the host's.</summary>
        public bool Board { get; }

        /// <summary>Throws <see cref="ConfigException"/> when a main.cf of <paramref name="length"/> bytes is too large to read (checked before reading it).</summary>
        public static void CheckFileSize(string fileName, long length, bool board)
        {
            int limit = board ? BoardFileLimit : HostFileLimit;
            if (length > limit)
            {
                throw new ConfigException(fileName, 0, "the file has " + length.ToString() + " bytes, more than the " + limit.ToString() + " a configuration may have");
            }
        }

        /// <summary>The longest value, as written or expanded: <see cref="HostValueLimit"/> or <see cref="BoardValueLimit"/>.</summary>
        public int ValueLimit
        {
            get { return Board ? BoardValueLimit : HostValueLimit; }
        }

        public string FileName { get; private set; }

        /// <summary>
        /// Parses main.cf text (UTF-8) and checks every value, including the defaults it leaves alone.
        /// Throws <see cref="ConfigException"/> naming the file and line of the first problem.
        /// </summary>
        public static MainConfig Parse(byte[] content, int length, string fileName, bool board)
        {
            var config = new MainConfig(board);
            config.FileName = fileName;
            CheckFileSize(fileName, length, board);
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

            if (Board && parameter.BoardDefault == null)
            {
                throw new ConfigException(FileName, line, name + " is a parameter of the emailcore program only; a board does not have it");
            }

            if (value.Length > ValueLimit)
            {
                throw new ConfigException(FileName, line, name + ": the value has " + value.Length.ToString() + " characters, more than " + ValueLimit.ToString());
            }

            _values[parameter.Index] = value;
            _lines[parameter.Index] = line;
            System.Array.Clear(_expanded, 0, _expanded.Length);
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

            // A host-only parameter is never set on a board's configuration; its host default stands in, unused.
            return Board && parameter.BoardDefault != null ? parameter.BoardDefault : parameter.HostDefault;
        }

        /// <summary>The value with $name, ${name} and $(name) replaced; throws <see cref="ConfigException"/> for a loop, an unknown name or a result over <see cref="ValueLimit"/>.</summary>
        public string GetString(Parameter parameter)
        {
            string value = _expanded[parameter.Index];
            if (value == null)
            {
                string raw = GetRaw(parameter);
                value = raw.IndexOf('$') < 0 ? raw : Expand(parameter, raw);
                _expanded[parameter.Index] = value;
            }

            return value;
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

        /// <summary>The main.cf line that set <paramref name="parameter"/>; 0 when it has its default.</summary>
        public int LineOf(Parameter parameter)
        {
            return _lines[parameter.Index];
        }

        /// <summary>
        /// Checks every parameter's effective value, then the rules between them (inet_protocols, and a board's
        /// limits when the board's defaults apply); throws at the first problem.
        /// </summary>
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

            InetProtocols.Check(this);
            if (Board)
            {
                BoardProfile.Check(this);
            }
        }

        /// <summary>
        /// Two passes over the raw value: the first expands each referenced parameter (once: the result is cached)
        /// and adds up the length, stopping at the limit; the second copies into one array of exactly that length.
        /// </summary>
        private string Expand(Parameter parameter, string value)
        {
            int index = parameter.Index;
            if (_expanding[index])
            {
                throw Problem(parameter, "$name expansion loops");
            }

            _expanding[index] = true;
            try
            {
                long length = 0;
                int p = 0;
                int literal;
                string inserted;
                while (NextPiece(parameter, value, ref p, out literal, out inserted))
                {
                    length += literal + (inserted == null ? 0 : inserted.Length);
                    if (length > ValueLimit)
                    {
                        throw Problem(parameter, "the value after $name expansion is longer than " + ValueLimit.ToString() + " characters");
                    }
                }

                var result = new char[(int)length];
                int at = 0;
                p = 0;
                int start = 0;
                while (NextPiece(parameter, value, ref p, out literal, out inserted))
                {
                    for (int i = 0; i < literal; i++)
                    {
                        result[at++] = value[start + i];
                    }

                    for (int i = 0; inserted != null && i < inserted.Length; i++)
                    {
                        result[at++] = inserted[i];
                    }

                    start = p;
                }

                return new string(result);
            }
            finally
            {
                _expanding[index] = false;
            }
        }

        /// <summary>
        /// From <paramref name="p"/>: the count of literal characters up to the next reference and that reference's
        /// expanded value (null at the end of the value); <paramref name="p"/> moves past both. False when nothing is left.
        /// </summary>
        private bool NextPiece(Parameter parameter, string value, ref int p, out int literal, out string inserted)
        {
            inserted = null;
            literal = 0;
            if (p >= value.Length)
            {
                return false;
            }

            int dollar = value.IndexOf('$', p);
            if (dollar < 0)
            {
                literal = value.Length - p;
                p = value.Length;
                return true;
            }

            literal = dollar - p;
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
                    throw Problem(parameter, "unbalanced \"" + value[start - 1] + "\" after $");
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
                throw Problem(parameter, "$" + name + " is not a parameter");
            }

            inserted = GetString(referenced);
            p = next;
            return true;
        }

        private ConfigException Problem(Parameter parameter, string message)
        {
            return new ConfigException(FileName, _lines[parameter.Index], parameter.Name + ": " + message);
        }

        private static bool IsNameChar(char c)
        {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        }
    }
}

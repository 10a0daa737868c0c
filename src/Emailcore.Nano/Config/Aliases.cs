using Emailcore.Nano.Text;

namespace Emailcore.Nano.Config
{
    /// <summary>
    /// An aliases(5) table: "name: address, address", '#' comment lines, white-space continuation lines.
    /// A name that has an "owner-NAME" entry is a mailing list (RFC 5321 §3.4.2): expanding it changes the
    /// envelope sender to the owner; expanding a plain alias changes only the recipient.
    /// Commands ("|..."), files ("/...") and ":include:" are refused with file:line, not silently skipped.
    /// </summary>
    public sealed class Aliases
    {
        private readonly string[] _names;
        private readonly string[][] _targets;
        private readonly int _count;

        private Aliases(string[] names, string[][] targets, int count)
        {
            _names = names;
            _targets = targets;
            _count = count;
        }

        public static Aliases Empty { get; } = new Aliases(new string[0], new string[0][], 0);

        public int Count
        {
            get { return _count; }
        }

        /// <summary>The addresses a local name expands to, or null when it is not an alias. Names compare case-insensitively.</summary>
        public string[] Lookup(string localPart)
        {
            int i = IndexOf(localPart);
            return i < 0 ? null : _targets[i];
        }

        /// <summary>The list owner's local part ("owner-NAME") when NAME is a list, else null.</summary>
        public string OwnerOf(string localPart)
        {
            string owner = "owner-" + localPart;
            return IndexOf(owner) >= 0 ? owner : null;
        }

        public static Aliases Parse(byte[] content, int length, string fileName)
        {
            // Count logical entries first so the tables are allocated once, at their final size.
            int capacity = 0;
            for (int i = 0; i < length; i++)
            {
                bool lineStart = i == 0 || content[i - 1] == '\n';
                if (lineStart && content[i] != ' ' && content[i] != '\t' && content[i] != '#' && content[i] != '\r' && content[i] != '\n')
                {
                    capacity++;
                }
            }

            var names = new string[capacity];
            var values = new string[capacity];
            var lines = new int[capacity];
            int count = 0;
            int lineNumber = 0;
            int p = 0;
            while (p < length)
            {
                int end = p;
                while (end < length && content[end] != '\n')
                {
                    end++;
                }

                int next = end + 1;
                if (end > p && content[end - 1] == '\r')
                {
                    end--;
                }

                lineNumber++;
                string line = Utf8.GetString(content, p, end - p);
                p = next;
                string trimmed = line.Trim();
                if (trimmed.Length == 0 || trimmed[0] == '#')
                {
                    continue;
                }

                if (line[0] == ' ' || line[0] == '\t')
                {
                    if (count == 0)
                    {
                        throw new ConfigException(fileName, lineNumber, "continuation line without an alias before it");
                    }

                    values[count - 1] += ", " + trimmed;
                    continue;
                }

                int colon = NameEnd(line);
                if (colon < 0)
                {
                    throw new ConfigException(fileName, lineNumber, "missing ':' after the alias name");
                }

                string name = Unquote(line.Substring(0, colon).Trim());
                if (name.Length == 0)
                {
                    throw new ConfigException(fileName, lineNumber, "missing alias name before ':'");
                }

                names[count] = name;
                values[count] = line.Substring(colon + 1).Trim();
                lines[count] = lineNumber;
                count++;
            }

            var targets = new string[count][];
            for (int i = 0; i < count; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    if (Ascii.EqualsIgnoreCase(names[i], names[j]))
                    {
                        throw new ConfigException(fileName, lines[i], "alias \"" + names[i] + "\" is already defined on line " + lines[j].ToString());
                    }
                }

                targets[i] = SplitTargets(values[i], fileName, lines[i], names[i]);
            }

            return new Aliases(names, targets, count);
        }

        private int IndexOf(string localPart)
        {
            for (int i = 0; i < _count; i++)
            {
                if (Ascii.EqualsIgnoreCase(_names[i], localPart))
                {
                    return i;
                }
            }

            return -1;
        }

        // A quoted name may contain ':'; the separator is the first ':' outside quotes.
        private static int NameEnd(string line)
        {
            bool quoted = false;
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (c == '"')
                {
                    quoted = !quoted;
                }
                else if (c == ':' && !quoted)
                {
                    return i;
                }
            }

            return -1;
        }

        private static string Unquote(string name)
        {
            return name.Length >= 2 && name[0] == '"' && name[name.Length - 1] == '"' ? name.Substring(1, name.Length - 2) : name;
        }

        private static string[] SplitTargets(string value, string fileName, int line, string name)
        {
            string[] items = ConfigSyntax.SplitList(value);
            if (items.Length == 0)
            {
                throw new ConfigException(fileName, line, "alias \"" + name + "\" has no addresses");
            }

            for (int i = 0; i < items.Length; i++)
            {
                string item = items[i];
                if (item[0] == '|' || item[0] == '/' || item.StartsWith(":include:"))
                {
                    throw new ConfigException(fileName, line, "alias \"" + name + "\": \"" + item + "\" is not supported (only addresses: no commands, files or :include:)");
                }

                if (item[0] == '<' && item[item.Length - 1] == '>')
                {
                    items[i] = item.Substring(1, item.Length - 2);
                }
            }

            return items;
        }
    }
}

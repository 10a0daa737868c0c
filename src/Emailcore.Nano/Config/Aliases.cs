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
            // Count entries first so the tables are allocated once, at their final size.
            int capacity = 0;
            var lines = new ConfigLines(content, length);
            while (lines.Next())
            {
                capacity += lines.IsContinuation ? 0 : 1;
            }

            var names = new string[capacity];
            var values = new string[capacity];
            var numbers = new int[capacity];
            int count = 0;
            lines = new ConfigLines(content, length);
            while (lines.Next())
            {
                if (lines.IsContinuation)
                {
                    throw new ConfigException(fileName, lines.Number, "continuation line without an alias before it");
                }

                string line = lines.Line;
                int colon = NameEnd(line);
                if (colon < 0)
                {
                    throw new ConfigException(fileName, lines.Number, "missing ':' after the alias name");
                }

                string name = Unquote(line.Substring(0, colon).Trim());
                if (name.Length == 0)
                {
                    throw new ConfigException(fileName, lines.Number, "missing alias name before ':'");
                }

                names[count] = name;
                numbers[count] = lines.Number;
                values[count] = lines.JoinContinuations(line.Substring(colon + 1).Trim(), ", ");
                count++;
            }

            var targets = new string[count][];
            for (int i = 0; i < count; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    if (Ascii.EqualsIgnoreCase(names[i], names[j]))
                    {
                        throw new ConfigException(fileName, numbers[i], "alias \"" + names[i] + "\" is already defined on line " + numbers[j].ToString());
                    }
                }

                targets[i] = SplitTargets(values[i], fileName, numbers[i], names[i]);
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

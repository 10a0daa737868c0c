using Emailcore.Nano.Text;

namespace Emailcore.Nano.Config
{
    /// <summary>
    /// A per-domain table such as transport_maps ("example.com [mx.example.com]:587"): written inline as "domain value, domain value" or as a file with one pair a line.
    /// Keys: "example.com" matches that domain, ".example.com" its subdomains, "*" anything (Postfix's order).
    /// </summary>
    public sealed class DomainMap
    {
        private readonly string[] _keys;
        private readonly string[] _values;

        private DomainMap(string[] keys, string[] values)
        {
            _keys = keys;
            _values = values;
        }

        public static DomainMap Empty { get; } = new DomainMap(new string[0], new string[0]);

        public int Count
        {
            get { return _keys.Length; }
        }

        /// <summary>True when a parameter's value names a file rather than holding pairs inline (one word, no pair).</summary>
        public static bool IsFileReference(string value)
        {
            return ConfigSyntax.SplitList(value).Length == 1;
        }

        /// <summary>Parses the inline form; <paramref name="line"/> locates errors in main.cf.</summary>
        public static DomainMap ParseInline(string value, string fileName, int line)
        {
            string[] items = ConfigSyntax.SplitList(value);
            if (items.Length % 2 != 0)
            {
                throw new ConfigException(fileName, line, "\"" + items[items.Length - 1] + "\" has no value (expected \"domain value\" pairs)");
            }

            var keys = new string[items.Length / 2];
            var values = new string[items.Length / 2];
            for (int i = 0; i < keys.Length; i++)
            {
                keys[i] = CheckKey(items[2 * i], fileName, line);
                values[i] = items[2 * i + 1];
            }

            return new DomainMap(keys, values);
        }

        /// <summary>Parses a map file: "domain value" per line, '#' comments and blank lines ignored; an indented line is an entry too.</summary>
        public static DomainMap Parse(byte[] content, int length, string fileName)
        {
            int count = 0;
            var lines = new ConfigLines(content, length);
            while (lines.Next())
            {
                count++;
            }

            var keys = new string[count];
            var values = new string[count];
            lines = new ConfigLines(content, length);
            for (int i = 0; lines.Next(); i++)
            {
                string[] words = ConfigSyntax.SplitList(lines.Trimmed);
                if (words.Length != 2)
                {
                    throw new ConfigException(fileName, lines.Number, "expected \"domain value\", not \"" + lines.Trimmed + "\"");
                }

                keys[i] = CheckKey(words[0], fileName, lines.Number);
                values[i] = words[1];
            }

            return new DomainMap(keys, values);
        }

        /// <summary>The value for a domain: an exact key first, then the nearest ".parent" key, then "*"; null when none.</summary>
        public string Lookup(string domain)
        {
            string exact = Find(domain);
            if (exact != null)
            {
                return exact;
            }

            for (int dot = domain.IndexOf('.'); dot >= 0; dot = domain.IndexOf('.', dot + 1))
            {
                string parent = Find(domain.Substring(dot));
                if (parent != null)
                {
                    return parent;
                }
            }

            return Find("*");
        }

        public string KeyAt(int index)
        {
            return _keys[index];
        }

        public string ValueAt(int index)
        {
            return _values[index];
        }

        private string Find(string key)
        {
            for (int i = 0; i < _keys.Length; i++)
            {
                if (Ascii.EqualsIgnoreCase(_keys[i], key))
                {
                    return _values[i];
                }
            }

            return null;
        }

        private static string CheckKey(string key, string fileName, int line)
        {
            string domain = key.Length > 1 && key[0] == '.' ? key.Substring(1) : key;
            if (key != "*" && !DomainName.IsValid(domain))
            {
                throw new ConfigException(fileName, line, "\"" + key + "\" is not a domain, .domain or *");
            }

            return key;
        }
    }
}

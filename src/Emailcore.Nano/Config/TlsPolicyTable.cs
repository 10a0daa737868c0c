using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Config
{
    /// <summary>
    /// smtp_tls_policy_maps: "destination level [attribute=value ...]" entries, inline in main.cf separated by commas,
    /// or one a line in a file. As in Postfix (TLS_README "TLS policy table"), an entry is found by the full next-hop
    /// destination: the recipient domain for MX delivery, or the next hop as relayhost or transport_maps write it
    /// ("[host]:port", "[host]", "host:port", "host"); only a bare domain goes on to its ".parent" entries.
    /// The relay and `config check` parse it here, so both refuse the same entries with the same file:line.
    /// </summary>
    public sealed class TlsPolicyTable
    {
        private readonly string[] _keys;
        private readonly TlsPolicy[] _policies;

        private TlsPolicyTable(string[] keys, TlsPolicy[] policies)
        {
            _keys = keys;
            _policies = policies;
        }

        public static TlsPolicyTable Empty { get; } = new TlsPolicyTable(new string[0], new TlsPolicy[0]);

        public int Count
        {
            get { return _keys.Length; }
        }

        /// <summary>The table main.cf sets, inline or from the file it names (read through <paramref name="files"/>).</summary>
        public static TlsPolicyTable From(MainConfig config, IFileSystem files)
        {
            string value = config.GetString(Parameters.SmtpTlsPolicyMaps);
            if (value.Length == 0)
            {
                return Empty;
            }

            if (!DomainMap.IsFileReference(value))
            {
                return ParseInline(value, config.FileName, config.LineOf(Parameters.SmtpTlsPolicyMaps));
            }

            byte[] content = ConfigFiles.Read(files, value);
            return Parse(content, content.Length, value);
        }

        /// <summary>Parses the inline form, entries separated by commas; <paramref name="line"/> locates errors in main.cf.</summary>
        public static TlsPolicyTable ParseInline(string value, string fileName, int line)
        {
            string[] entries = value.Split(',');
            int count = 0;
            for (int i = 0; i < entries.Length; i++)
            {
                count += ConfigSyntax.SplitList(entries[i]).Length > 0 ? 1 : 0;
            }

            var table = new TlsPolicyTable(new string[count], new TlsPolicy[count]);
            int n = 0;
            for (int i = 0; i < entries.Length; i++)
            {
                string[] words = ConfigSyntax.SplitList(entries[i]);
                if (words.Length > 0)
                {
                    table.Set(n++, words, fileName, line);
                }
            }

            return table;
        }

        /// <summary>Parses a table file: one entry a line, '#' comments and blank lines ignored.</summary>
        public static TlsPolicyTable Parse(byte[] content, int length, string fileName)
        {
            int count = 0;
            var lines = new ConfigLines(content, length);
            while (lines.Next())
            {
                count++;
            }

            var table = new TlsPolicyTable(new string[count], new TlsPolicy[count]);
            lines = new ConfigLines(content, length);
            for (int i = 0; lines.Next(); i++)
            {
                table.Set(i, ConfigSyntax.SplitList(lines.Trimmed), fileName, lines.Number);
            }

            return table;
        }

        /// <summary>The policy for a next hop: its verbatim form, then for a bare domain the nearest ".parent"; else <paramref name="fallback"/>.</summary>
        public TlsPolicy Lookup(NextHop hop, TlsPolicy fallback)
        {
            TlsPolicy exact = Find(hop.ToString());
            if (exact != null)
            {
                return exact;
            }

            // TLS_README: parent-domain matching only for a destination "without enclosing square brackets or any :port suffix".
            if (!hop.SkipMx && hop.Port == NextHop.SmtpPort)
            {
                string domain = hop.Host;
                for (int dot = domain.IndexOf('.'); dot >= 0; dot = domain.IndexOf('.', dot + 1))
                {
                    TlsPolicy parent = Find(domain.Substring(dot));
                    if (parent != null)
                    {
                        return parent;
                    }
                }
            }

            return fallback;
        }

        public string KeyAt(int index)
        {
            return _keys[index];
        }

        public TlsPolicy PolicyAt(int index)
        {
            return _policies[index];
        }

        private TlsPolicy Find(string key)
        {
            for (int i = 0; i < _keys.Length; i++)
            {
                if (Ascii.EqualsIgnoreCase(_keys[i], key))
                {
                    return _policies[i];
                }
            }

            return null;
        }

        private void Set(int index, string[] words, string fileName, int line)
        {
            if (words.Length < 2)
            {
                throw new ConfigException(fileName, line, "expected \"destination level [attribute=value ...]\", not \"" + words[0] + "\"");
            }

            _keys[index] = Key(words[0], fileName, line);
            _policies[index] = TlsPolicy.Parse(words, 1, fileName, line);
        }

        // Keys are compared as NextHop writes them, so "[host]:25" and "[host]" are one destination.
        private static string Key(string key, string fileName, int line)
        {
            if (key == "*")
            {
                throw new ConfigException(fileName, line, "\"*\": smtp_tls_policy_maps has no wildcard (as in Postfix); smtp_tls_security_level applies where no entry matches");
            }

            if (key.Length > 1 && key[0] == '.')
            {
                if (!DomainName.IsValid(key.Substring(1)))
                {
                    throw new ConfigException(fileName, line, "\"" + key + "\" is not a .domain");
                }

                return key;
            }

            NextHop hop = NextHop.Parse(key);
            if (hop == null)
            {
                throw new ConfigException(fileName, line, "\"" + key + "\" is not a next-hop destination (domain, .domain, host:port, [host] or [host]:port)");
            }

            return hop.ToString();
        }
    }
}

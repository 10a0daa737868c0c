using Emailcore.Nano.Config;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Smtp.Client
{
    /// <summary>
    /// smtp_sasl_password_maps: "nexthop user:password" pairs, inline (comma-separated) or one per line in a file.
    /// The next hop is written as in relayhost ("[smtp.example.com]:587"); a password "oauth2:TOKEN" is an OAuth 2.0
    /// access token for XOAUTH2. Passwords cannot contain white space or commas.
    /// </summary>
    public sealed class SaslPasswords
    {
        private readonly string[] _hops;
        private readonly SaslCredentials[] _credentials;

        private SaslPasswords(string[] hops, SaslCredentials[] credentials)
        {
            _hops = hops;
            _credentials = credentials;
        }

        public static SaslPasswords Empty { get; } = new SaslPasswords(new string[0], new SaslCredentials[0]);

        public static SaslPasswords ParseInline(string value, string fileName, int line)
        {
            return FromWords(ConfigSyntax.SplitList(value), fileName, line);
        }

        public static SaslPasswords Parse(byte[] content, int length, string fileName)
        {
            string all = string.Empty;
            var lines = new ConfigLines(content, length);
            while (lines.Next())
            {
                string[] words = ConfigSyntax.SplitList(lines.Trimmed);
                if (words.Length != 2)
                {
                    throw new ConfigException(fileName, lines.Number, "expected \"nexthop user:password\"");
                }

                Check(words[0], words[1], fileName, lines.Number);
                all += words[0] + " " + words[1] + " ";
            }

            return FromWords(ConfigSyntax.SplitList(all), fileName, 0);
        }

        /// <summary>The credentials for a next hop ("[host]:port" as written in relayhost), or null.</summary>
        public SaslCredentials Lookup(NextHop hop)
        {
            string written = hop.ToString();
            for (int i = 0; i < _hops.Length; i++)
            {
                NextHop candidate = NextHop.Parse(_hops[i]);
                if (Ascii.EqualsIgnoreCase(_hops[i], written) || (candidate != null && Ascii.EqualsIgnoreCase(candidate.ToString(), written)))
                {
                    return _credentials[i];
                }
            }

            return null;
        }

        private static SaslPasswords FromWords(string[] words, string fileName, int line)
        {
            if (words.Length % 2 != 0)
            {
                throw new ConfigException(fileName, line, "expected \"nexthop user:password\" pairs");
            }

            var hops = new string[words.Length / 2];
            var credentials = new SaslCredentials[hops.Length];
            for (int i = 0; i < hops.Length; i++)
            {
                string hop = words[2 * i];
                string login = words[2 * i + 1];
                Check(hop, login, fileName, line);
                int colon = login.IndexOf(':');
                string user = login.Substring(0, colon);
                string secret = login.Substring(colon + 1);
                bool token = secret.StartsWith("oauth2:");
                hops[i] = hop;
                credentials[i] = new SaslCredentials(user, token ? null : secret, token ? secret.Substring(7) : null);
            }

            return new SaslPasswords(hops, credentials);
        }

        private static void Check(string hop, string login, string fileName, int line)
        {
            if (NextHop.Parse(hop) == null)
            {
                throw new ConfigException(fileName, line, "\"" + hop + "\" is not a next hop such as [smtp.example.com]:587");
            }

            if (login.IndexOf(':') <= 0)
            {
                throw new ConfigException(fileName, line, "credentials for " + hop + " are not user:password");
            }
        }
    }
}

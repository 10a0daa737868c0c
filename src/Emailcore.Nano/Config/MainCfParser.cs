using Emailcore.Nano.Text;

namespace Emailcore.Nano.Config
{
    /// <summary>
    /// Postfix main.cf syntax (postconf(5)): "name = value"; a line whose first character is '#' is a comment,
    /// as is an empty line; a line that starts with white space continues the previous one. A '#' after a
    /// value is part of the value, as in Postfix. A later setting of the same name wins.
    /// </summary>
    public static class MainCfParser
    {
        public static void Parse(byte[] content, int length, MainConfig into)
        {
            string name = null;
            string value = null;
            int valueLine = 0;
            int lineNumber = 0;
            int p = 0;
            if (length >= 3 && content[0] == 0xEF && content[1] == 0xBB && content[2] == 0xBF)
            {
                p = 3;
            }

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
                    if (name == null)
                    {
                        throw new ConfigException(into.FileName, lineNumber, "continuation line without a parameter before it");
                    }

                    value = value.Length == 0 ? trimmed : value + " " + trimmed;
                    continue;
                }

                if (name != null)
                {
                    into.Set(name, value, valueLine);
                }

                int equals = line.IndexOf('=');
                if (equals < 0)
                {
                    throw new ConfigException(into.FileName, lineNumber, "missing '=' after parameter name \"" + trimmed + "\"");
                }

                name = line.Substring(0, equals).Trim();
                value = line.Substring(equals + 1).Trim();
                valueLine = lineNumber;
                if (name.Length == 0)
                {
                    throw new ConfigException(into.FileName, lineNumber, "missing parameter name before '='");
                }

                if (Parameters.Find(name) == null)
                {
                    throw new ConfigException(into.FileName, lineNumber, "unknown parameter \"" + name + "\"");
                }
            }

            if (name != null)
            {
                into.Set(name, value, valueLine);
            }
        }
    }
}

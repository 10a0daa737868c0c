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
            var lines = new ConfigLines(content, length);
            while (lines.Next())
            {
                if (lines.IsContinuation)
                {
                    if (name == null)
                    {
                        throw new ConfigException(into.FileName, lines.Number, "continuation line without a parameter before it");
                    }

                    value = value.Length == 0 ? lines.Trimmed : value + " " + lines.Trimmed;
                    continue;
                }

                if (name != null)
                {
                    into.Set(name, value, valueLine);
                }

                string line = lines.Line;
                int equals = line.IndexOf('=');
                if (equals < 0)
                {
                    throw new ConfigException(into.FileName, lines.Number, "missing '=' after parameter name \"" + lines.Trimmed + "\"");
                }

                name = line.Substring(0, equals).Trim();
                value = line.Substring(equals + 1).Trim();
                valueLine = lines.Number;
                if (name.Length == 0)
                {
                    throw new ConfigException(into.FileName, lines.Number, "missing parameter name before '='");
                }

                if (Parameters.Find(name) == null)
                {
                    throw new ConfigException(into.FileName, lines.Number, "unknown parameter \"" + name + "\"");
                }
            }

            if (name != null)
            {
                into.Set(name, value, valueLine);
            }
        }
    }
}

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
            var lines = new ConfigLines(content, length);
            while (lines.Next())
            {
                if (lines.IsContinuation)
                {
                    throw new ConfigException(into.FileName, lines.Number, "continuation line without a parameter before it");
                }

                string line = lines.Line;
                int number = lines.Number;
                int equals = line.IndexOf('=');
                if (equals < 0)
                {
                    throw new ConfigException(into.FileName, number, "missing '=' after parameter name \"" + lines.Trimmed + "\"");
                }

                string name = line.Substring(0, equals).Trim();
                if (name.Length == 0)
                {
                    throw new ConfigException(into.FileName, number, "missing parameter name before '='");
                }

                if (Parameters.Find(name) == null)
                {
                    throw new ConfigException(into.FileName, number, "unknown parameter \"" + name + "\"");
                }

                into.Set(name, lines.JoinContinuations(line.Substring(equals + 1).Trim(), " "), number);
            }
        }
    }
}

using System;
using System.Collections.Generic;

namespace Emailcore.Nano.Host.Policy
{
    /// <summary>RFC 8461 §5: what a policy asks of senders.</summary>
    public enum MtaStsMode
    {
        None,
        Testing,
        Enforce,
    }

    /// <summary>
    /// One MTA-STS policy (RFC 8461 §3.2) with the id of the TXT record it was fetched under and when it expires.
    /// </summary>
    public sealed record MtaStsPolicy(string Id, MtaStsMode Mode, long MaxAge, string[] Mx, DateTime Expires)
    {
        /// <summary>RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year).</summary>
        public const long MaxMaxAge = 31557600;

        public string ModeName => Mode.ToString().ToLowerInvariant();

        /// <summary>
        /// Parses a policy body; throws <see cref="FormatException"/> saying what is wrong. RFC 8461 §3.2: "key: value" lines
        /// ending in CRLF or LF, unknown keys ignored, version STSv1, mode, max_age, and mx (one or more) unless the mode is none.
        /// </summary>
        public static MtaStsPolicy Parse(string body, string id, DateTime now)
        {
            string? version = null;
            string? mode = null;
            string? maxAge = null;
            var mx = new List<string>();
            foreach (string raw in body.Split('\n'))
            {
                string line = raw.TrimEnd('\r');
                int colon = line.IndexOf(':');
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                if (colon <= 0)
                {
                    throw new FormatException("line \"" + line + "\" is not \"key: value\"");
                }

                string key = line[..colon].Trim();
                string value = line[(colon + 1)..].Trim(' ', '\t');
                switch (key)
                {
                    case "version": version = value; break;
                    case "mode": mode = value; break;
                    case "max_age": maxAge = value; break;
                    case "mx": mx.Add(value.ToLowerInvariant().TrimEnd('.')); break;
                }
            }

            if (version != "STSv1")
            {
                throw new FormatException("version is " + (version == null ? "missing" : "\"" + version + "\"") + ", not STSv1");
            }

            MtaStsMode parsed = mode switch
            {
                "enforce" => MtaStsMode.Enforce,
                "testing" => MtaStsMode.Testing,
                "none" => MtaStsMode.None,
                _ => throw new FormatException("mode is " + (mode == null ? "missing" : "\"" + mode + "\"") + ", not enforce, testing or none"),
            };

            // RFC 8461 §3.2: max_age is a plain non-negative integer of at most 10 digits, at most 31557600.
            if (maxAge == null || maxAge.Length == 0 || maxAge.Length > 10 || !long.TryParse(maxAge, System.Globalization.NumberStyles.None, null, out long seconds) || seconds > MaxMaxAge)
            {
                throw new FormatException("max_age is " + (maxAge == null ? "missing" : "\"" + maxAge + "\"") + ", not seconds up to " + MaxMaxAge);
            }

            if (parsed != MtaStsMode.None && mx.Count == 0)
            {
                throw new FormatException("mode " + mode + " without an mx line");
            }

            return new MtaStsPolicy(id, parsed, seconds, mx.ToArray(), now.AddSeconds(seconds));
        }

        /// <summary>
        /// RFC 8461 §4.1: a host matches an mx pattern exactly, or, for "*.example.com", when it is one label (and only one)
        /// in front of example.com; case and a final dot do not matter.
        /// </summary>
        public bool Matches(string host)
        {
            string name = host.ToLowerInvariant().TrimEnd('.');
            foreach (string pattern in Mx)
            {
                if (pattern.StartsWith("*.", StringComparison.Ordinal))
                {
                    string parent = pattern[1..];
                    int dot = name.IndexOf('.');
                    if (dot > 0 && name[dot..] == parent)
                    {
                        return true;
                    }
                }
                else if (name == pattern)
                {
                    return true;
                }
            }

            return false;
        }
    }
}

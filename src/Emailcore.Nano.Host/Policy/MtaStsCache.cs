using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Host.Policy
{
    /// <summary>
    /// RFC 8461 §5.1 policy cache: policies by domain until max_age runs out, in memory and in a file in queue_directory
    /// (a restart keeps them; the file is replaced whole, through a temporary file and a rename). At most
    /// smtp_mta_sts_cache_size bytes of the file's lines; when a policy does not fit, those closest to expiry give way.
    /// A line the file cannot have come from is skipped with a warning: the worst a damaged file costs is a new fetch.
    /// </summary>
    public sealed class MtaStsCache
    {
        public const string FileName = "mta-sts.cache";

        private readonly Dictionary<string, MtaStsPolicy> _policies = new(StringComparer.Ordinal);
        private readonly string? _path;
        private readonly long _limit;
        private readonly ILog _log;

        /// <param name="directory">Where the file lives; null keeps the cache in memory only.</param>
        public MtaStsCache(string? directory, long limit, ILog log)
        {
            _limit = limit;
            _log = log;
            _path = directory == null ? null : Path.Combine(directory, FileName);
            if (_path != null && File.Exists(_path))
            {
                Load(_path);
            }
        }

        /// <summary>The unexpired policy of <paramref name="domain"/>, or null.</summary>
        public MtaStsPolicy? Get(string domain, DateTime now)
        {
            lock (_policies)
            {
                return _policies.TryGetValue(domain, out MtaStsPolicy? policy) && policy.Expires > now ? policy : null;
            }
        }

        public void Put(string domain, MtaStsPolicy policy)
        {
            lock (_policies)
            {
                _policies[domain] = policy;
                long size = 0;
                foreach (KeyValuePair<string, MtaStsPolicy> entry in _policies)
                {
                    size += Line(entry.Key, entry.Value).Length + 1;
                }

                while (size > _limit && _policies.Count > 0)
                {
                    string first = Soonest();
                    size -= Line(first, _policies[first]).Length + 1;
                    _policies.Remove(first);
                }

                Save();
            }
        }

        // The entry closest to expiry (an expired one, if any).
        private string Soonest()
        {
            string? earliest = null;
            foreach (KeyValuePair<string, MtaStsPolicy> entry in _policies)
            {
                if (earliest == null || entry.Value.Expires < _policies[earliest].Expires)
                {
                    earliest = entry.Key;
                }
            }

            return earliest!;
        }

        // "domain expires-unix-seconds id mode max_age mx,mx": no field can hold a space or a comma (domains, RFC 8461 §3.1 id).
        private static string Line(string domain, MtaStsPolicy policy) =>
            domain + " " + new DateTimeOffset(policy.Expires).ToUnixTimeSeconds() + " " + policy.Id + " " + policy.ModeName + " " + policy.MaxAge + " " + string.Join(",", policy.Mx);

        private void Save()
        {
            if (_path == null)
            {
                return;
            }

            var text = new StringBuilder();
            foreach (KeyValuePair<string, MtaStsPolicy> entry in _policies)
            {
                text.Append(Line(entry.Key, entry.Value)).Append('\n');
            }

            string temporary = _path + "." + Environment.ProcessId + ".tmp";
            try
            {
                File.WriteAllText(temporary, text.ToString());
                File.Move(temporary, _path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.Write(LogLevel.Warning, "MTA-STS: cannot write the policy cache " + _path + ": " + e.Message + "; policies are kept in memory");
            }
        }

        private void Load(string path)
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.Write(LogLevel.Warning, "MTA-STS: cannot read the policy cache " + path + ": " + e.Message);
                return;
            }

            long size = 0;
            for (int i = 0; i < lines.Length; i++)
            {
                string[] fields = lines[i].Split(' ');
                bool fits = size + lines[i].Length + 1 <= _limit;
                if (fields.Length != 6 || !long.TryParse(fields[1], out long expires) || !long.TryParse(fields[4], out long maxAge)
                    || !Enum.TryParse(fields[3], ignoreCase: true, out MtaStsMode mode) || !fits)
                {
                    _log.Write(LogLevel.Warning, "MTA-STS: " + path + ":" + (i + 1) + ": skipped " + (fits ? "a line that is not a cached policy" : "past smtp_mta_sts_cache_size"));
                    continue;
                }

                size += lines[i].Length + 1;
                string[] mx = fields[5].Length == 0 ? Array.Empty<string>() : fields[5].Split(',');
                _policies[fields[0]] = new MtaStsPolicy(fields[2], mode, maxAge, mx, DateTimeOffset.FromUnixTimeSeconds(expires).UtcDateTime);
            }
        }
    }
}

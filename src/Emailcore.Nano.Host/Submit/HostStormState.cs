using System;
using System.IO;
using System.Threading;
using Emailcore.Nano.Alerts;
using Emailcore.Nano.Config;
using Emailcore.Nano.Mail;

namespace Emailcore.Nano.Host.Submit
{
    /// <summary>
    /// Storm control for `emailcore send --key`, kept across runs: the core's <see cref="StormControl"/> table (sized by
    /// alert_key_limit, limited by alert_rate_limit, alert_rate_window and alert_dedupe_window), saved in
    /// queue_directory/.alerts (the spool ignores dot-files) and locked while one run uses it. Its clock is wall time
    /// in milliseconds, the one clock that outlives a process on the host.
    /// </summary>
    public sealed class HostStormState : IDisposable
    {
        public const string FileName = ".alerts";

        private readonly FileStream _file;
        private readonly StormControl _storm;
        private readonly long _now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        private int _slot;
        private int _content;

        private HostStormState(FileStream file, StormControl storm)
        {
            _file = file;
            _storm = storm;
        }

        /// <summary>What was held back, for the message when a run is suppressed.</summary>
        public string Detail { get; private set; } = string.Empty;

        /// <summary>Opens (and locks, waiting up to 10 s for another run) the state of the configuration's spool.</summary>
        public static HostStormState Open(MainConfig config)
        {
            string directory = HostSpool.Directory(config);
            Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, FileName);
            FileStream? file = null;
            for (int attempt = 0; file == null; attempt++)
            {
                try
                {
                    file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException) when (attempt < 100)
                {
                    Thread.Sleep(100);
                }
            }

            var storm = new StormControl(config.GetCount(Parameters.AlertKeyLimit), config.GetCount(Parameters.AlertRateLimit),
                (long)config.GetSeconds(Parameters.AlertRateWindow) * 1000, (long)config.GetSeconds(Parameters.AlertDedupeWindow) * 1000);
            var saved = new byte[file.Length];
            file.ReadExactly(saved);
            storm.Load(saved, saved.Length);
            return new HostStormState(file, storm);
        }

        /// <summary>Whether this run's message may go; a suppressed one is counted and saved at once.</summary>
        public bool Admit(string key, string subject, IMessageSource body)
        {
            _slot = _storm.Slot(key, _now);
            _content = (StormControl.Hash(subject) * 31) ^ Hash(body);
            StormVerdict verdict = _storm.Judge(_slot, _content, AlertState.Problem, _now);
            if (verdict == StormVerdict.Send)
            {
                return true;
            }

            _storm.Suppressed(_slot, _now);
            Detail = _storm.SuppressedCount(_slot) + " held back (" + (verdict == StormVerdict.Duplicate ? "duplicate" : "rate") + ")";
            Save();
            return false;
        }

        /// <summary>"(37 more like this since 14:02 UTC, held back by storm control)" and an empty line, or nothing.</summary>
        public string Note()
        {
            int count = _storm.SuppressedCount(_slot);
            if (count == 0)
            {
                return string.Empty;
            }

            DateTime now = DateTime.UtcNow;
            DateTime since = DateTimeOffset.FromUnixTimeMilliseconds(_storm.SuppressedSince(_slot)).UtcDateTime;
            return "(" + count + " more like this since " + Rfc5322Date.TimeOfDay(since, now) + ", held back by storm control)\n\n";
        }

        /// <summary>Records that the message went out (queued or delivered).</summary>
        public void Sent()
        {
            _storm.Sent(_slot, _content, AlertState.Problem, _now);
            Save();
        }

        public void Dispose() => _file.Dispose();

        private void Save()
        {
            var state = new byte[_storm.StateBytes];
            _storm.Save(state);
            _file.SetLength(0);
            _file.Write(state);
            _file.Flush(flushToDisk: true);
        }

        private static int Hash(IMessageSource body)
        {
            uint hash = 2166136261;
            var buffer = new byte[8192];
            body.Rewind();
            int n;
            while ((n = body.Read(buffer, 0, buffer.Length)) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    hash = (hash ^ buffer[i]) * 16777619;
                }
            }

            return (int)hash;
        }
    }
}

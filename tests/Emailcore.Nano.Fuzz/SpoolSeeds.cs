using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Spool;

namespace Emailcore.Nano.Fuzz
{
    /// <summary>
    /// The spool target's input format and its seeds. An input is segment files: a count byte (1 + b % 4 files),
    /// then before every file but the last its length as two bytes (little-endian, cut to what is left), then the
    /// files' bytes. Seeds are real spools written by the spool itself: interleaved messages, recipient states,
    /// rotation over several segments.
    /// </summary>
    public static class SpoolSeeds
    {
        public static List<KeyValuePair<string, byte[]>> Split(byte[] input)
        {
            var files = new List<KeyValuePair<string, byte[]>>();
            if (input.Length == 0)
            {
                return files;
            }

            int count = 1 + input[0] % 4;
            int p = 1;
            var lengths = new int[count];
            for (int i = 0; i < count - 1; i++)
            {
                lengths[i] = p + 2 <= input.Length ? input[p] | (input[p + 1] << 8) : 0;
                p = Math.Min(p + 2, input.Length);
            }

            for (int i = 0; i < count; i++)
            {
                int length = i == count - 1 ? input.Length - p : Math.Min(lengths[i], input.Length - p);
                files.Add(new KeyValuePair<string, byte[]>(Nano.Spool.Spool.NameOf(i + 1), input.AsSpan(p, length).ToArray()));
                p += length;
            }

            return files;
        }

        public static byte[] Join(IReadOnlyList<byte[]> files)
        {
            var input = new MemoryStream();
            input.WriteByte((byte)(files.Count - 1));
            for (int i = 0; i < files.Count - 1; i++)
            {
                input.WriteByte((byte)files[i].Length);
                input.WriteByte((byte)(files[i].Length >> 8));
            }

            foreach (byte[] file in files)
            {
                input.Write(file);
            }

            return input.ToArray();
        }

        /// <summary>Writes seed files into <paramref name="directory"/>: spools of one, two and four segments.</summary>
        public static void Write(string directory)
        {
            Directory.CreateDirectory(directory);
            for (int messages = 1; messages <= 4; messages++)
            {
                File.WriteAllBytes(Path.Combine(directory, "spool-" + messages + "-messages"), Build(messages));
            }
        }

        private static byte[] Build(int messages)
        {
            var store = new MemoryFileStore();
            var spool = new Nano.Spool.Spool(store, new Discard(), new Fixed(), 256, 2048, 1 << 20, 64, 0, false);
            var sinks = new List<IMessageSink>();
            var ids = new List<long>();
            for (int m = 0; m < messages; m++)
            {
                var envelope = new Envelope(1024, 8);
                byte[] from = Encoding.ASCII.GetBytes("sender" + m + "@example.org");
                envelope.SetReversePath(from, 0, from.Length);
                for (int r = 0; r <= m % 3; r++)
                {
                    byte[] to = Encoding.ASCII.GetBytes("rcpt" + r + "@example.com");
                    byte[] orcpt = Encoding.ASCII.GetBytes("rfc822;rcpt" + r + "@example.com");
                    envelope.AddRecipient(to, 0, to.Length, Notify.Failure, orcpt, 0, orcpt.Length);
                }

                IMessageSink sink = spool.CreateSink();
                ids.Add(sink.Open(envelope));
                sinks.Add(sink);
            }

            // Interleaved writes, as concurrent sessions make them.
            for (int round = 0; round < 3; round++)
            {
                for (int m = 0; m < messages; m++)
                {
                    byte[] piece = Encoding.ASCII.GetBytes((round == 0 ? "Subject: seed " + m + "\r\n\r\n" : string.Empty) + new string((char)('a' + m), 150 + 40 * m) + "\r\n");
                    sinks[m].Write(piece, 0, piece.Length);
                }
            }

            foreach (IMessageSink sink in sinks)
            {
                sink.Commit();
            }

            byte[] reply = Encoding.ASCII.GetBytes("451 4.4.1 try later");
            foreach (long id in ids)
            {
                spool.RecordState(id, 0, RecipientState.Deferred, 638000000000000000, reply, 0, reply.Length);
            }

            if (ids.Count > 1)
            {
                byte[] sent = Encoding.ASCII.GetBytes("250 2.0.0 queued");
                spool.RecordState(ids[1], 0, RecipientState.Delivered, 0, sent, 0, sent.Length);
            }

            spool.Sync();
            spool.Close();
            return Join(store.Files.OrderBy(f => f.Key, StringComparer.Ordinal).Take(4).Select(f => f.Value.ToArray()).ToList());
        }

        private sealed class Fixed : IClock
        {
            public long MonotonicMilliseconds => 1;

            public bool TryGetUtcNow(out DateTime utcNow)
            {
                utcNow = new DateTime(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc);
                return true;
            }

            public void Sleep(int milliseconds)
            {
            }
        }

        private sealed class Discard : ILog
        {
            public void Write(LogLevel level, string line)
            {
            }
        }
    }
}

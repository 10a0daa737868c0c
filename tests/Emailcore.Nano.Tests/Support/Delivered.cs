using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>
    /// What a relay under test holds for a recipient: messages still in its spool (read without locking it) and
    /// copies already delivered into its Maildir, counted once per queue id however far delivery has got.
    /// </summary>
    public static class Delivered
    {
        /// <summary>The content of each message for <paramref name="recipient"/>, keyed by queue id.</summary>
        public static Dictionary<string, string> For(string queueDirectory, string? mailDirectory, string recipient)
        {
            // The spool first, then the Maildir: a message delivered between the two reads is still in the
            // Maildir by the second (files stay there), so none slips through the gap.
            Dictionary<string, string> found = Queued(queueDirectory, recipient);
            if (mailDirectory != null && Directory.Exists(mailDirectory))
            {
                foreach (string file in Directory.GetFiles(mailDirectory, "*", SearchOption.AllDirectories))
                {
                    if (Path.GetFileName(Path.GetDirectoryName(file)) != "new")
                    {
                        continue;
                    }

                    string text = File.ReadAllText(file);
                    string name = Path.GetFileName(file);
                    int q = name.IndexOf(".Q", StringComparison.Ordinal);
                    int r = name.IndexOf('R', q + 2);
                    // Local delivery put Return-Path and Delivered-To in front of the message as received.
                    string[] head = text.Split("\r\n", 3);
                    if (head.Length == 3 && string.Equals(head[1], "Delivered-To: " + recipient, StringComparison.OrdinalIgnoreCase))
                    {
                        found.TryAdd(name.Substring(q + 2, r - q - 2), head[2]);
                    }
                }
            }

            return found;
        }

        /// <summary>Messages in the spool whose envelope names the recipient (any state), keyed by queue id.</summary>
        public static Dictionary<string, string> Queued(string queueDirectory, string recipient)
        {
            var found = new Dictionary<string, string>();
            if (!Directory.Exists(queueDirectory))
            {
                return found;
            }

            var config = new MainConfig(board: false);
            var spool = Nano.Spool.Spool.Open(config, new HostFileStore(queueDirectory), new ListLog(), new HostClock(), readOnly: true);
            var envelope = new Envelope(64 * 1024, 1000);
            foreach (var message in spool.Messages())
            {
                if (!spool.LoadEnvelope(message.Id, envelope))
                {
                    continue;
                }

                for (int i = 0; i < envelope.RecipientCount; i++)
                {
                    if (string.Equals(envelope.Recipient(i), recipient, StringComparison.OrdinalIgnoreCase))
                    {
                        found[QueueId.Format(message.Id)] = Read(spool.OpenContent(message.Id));
                        break;
                    }
                }
            }

            return found;
        }

        private static string Read(IMessageSource source)
        {
            var bytes = new MemoryStream();
            var buffer = new byte[4096];
            int n;
            while ((n = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                bytes.Write(buffer, 0, n);
            }

            return Encoding.UTF8.GetString(bytes.ToArray());
        }
    }
}

using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Host.Submit;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Client;

namespace Emailcore.Nano.Host.Commands
{
    /// <summary>
    /// `emailcore send`: composes a message with the same builder as the board's alerts and queues it with the
    /// configured relay (or, with --now, delivers it and waits). Exit codes: 0 queued or delivered, 75 temporary
    /// (EX_TEMPFAIL: try again; with --now what was deferred is queued), 1 refused for good or a usage error.
    /// </summary>
    public static class SendCommand
    {
        public static Command Create()
        {
            var to = new Option<string[]>("--to") { Description = "a recipient (repeat for more): user@domain or \"Name <user@domain>\"", Required = true };
            var cc = new Option<string[]>("--cc") { Description = "a copy recipient (repeat for more)" };
            var from = new Option<string?>("--from") { Description = "the sender (default: alert_sender)" };
            var subject = new Option<string>("--subject") { Description = "the subject, any Unicode text", Required = true };
            var body = new Option<string?>("--body-file") { Description = "the text, UTF-8; - reads standard input (default: no text)" };
            var attach = new Option<FileInfo[]>("--attach") { Description = "a file to attach (repeat for more)" };
            var key = new Option<string?>("--key") { Description = "storm control key: alerts with the same key are rate-limited and deduplicated across runs" };
            var now = new Option<bool>("--now") { Description = "deliver now from this process and wait for each recipient's reply" };
            Option<FileInfo?> config = CommonOptions.Config;
            var send = new Command("send", "compose a message and queue it with the relay (or deliver it with --now)")
            {
                to, cc, from, subject, body, attach, key, now, config,
            };
            send.SetAction(parse => Run(
                parse.GetValue(config), parse.GetValue(to)!, parse.GetValue(cc) ?? Array.Empty<string>(), parse.GetValue(from), parse.GetValue(subject)!,
                parse.GetValue(body), parse.GetValue(attach) ?? Array.Empty<FileInfo>(), parse.GetValue(key), parse.GetValue(now)));
            return send;
        }

        private static int Run(FileInfo? configFile, string[] to, string[] cc, string? from, string subject, string? bodyFile, FileInfo[] attach, string? key, bool now)
        {
            var log = new ConsoleLog(LogLevel.Warning);
            var open = new List<IDisposable>();
            try
            {
                MainConfig config = ConfigLoader.Load(configFile?.FullName, displayName: configFile?.ToString());
                string sender = from ?? config.GetString(Parameters.AlertSender);
                var parts = new MessageParts
                {
                    From = Mailbox.Parse(sender) ?? throw new UsageException("--from: \"" + sender + "\" is not an address"),
                    To = Mailboxes("--to", to),
                    Cc = Mailboxes("--cc", cc),
                    Subject = subject,
                    Date = DateTime.UtcNow,
                    AllowEightBit = config.GetBool(Parameters.Alert8BitMime),
                };
                string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
                string host = config.GetString(Parameters.Myhostname);
                parts.MessageId = token + "@" + (host.Length > 0 ? host : parts.From.Address.Substring(parts.From.Address.LastIndexOf('@') + 1));
                parts.Boundary = "=_" + token;
                parts.Body = Body(bodyFile, open);
                parts.Attachments = Attachments(attach, open);
                if (MessageBuilder.Check(parts, out string? field) is var problem && problem != MessageProblem.None)
                {
                    throw new UsageException(field + ": " + (problem == MessageProblem.LineBreakInHeader ? "a line break is not allowed in a header" : problem.ToString()));
                }

                HostStormState? storm = null;
                if (key != null)
                {
                    storm = HostStormState.Open(config);
                    open.Add(storm);
                    if (!storm.Admit(key, subject, parts.Body))
                    {
                        Console.WriteLine("suppressed by storm control (key " + key + "): " + storm.Detail);
                        return 0;
                    }

                    parts.Body = Prefixed(storm.Note(), parts.Body, open);
                }

                var builder = new MessageBuilder(4096);
                TransferEncoding encoding = builder.ChooseEncoding(parts);
                var message = new MessageFile();
                open.Add(message);
                var writer = new MessageWriter(4096);
                writer.Attach(message);
                builder.Write(writer, parts, encoding);
                writer.Flush();
                message.Commit();

                Envelope envelope = EnvelopeOf(parts.From.Address, parts.To, parts.Cc);
                envelope.Body = encoding == TransferEncoding.EightBit ? BodyType.EightBitMime : BodyType.SevenBit;
                DeliveryResult[] results = Results(envelope.RecipientCount);
                if (now)
                {
                    NowDelivery.Deliver(config, envelope, message, results, log);
                }
                else
                {
                    Submission.Submit(config, envelope, message, results, log);
                }

                Outcome outcome = Outcomes.Print(envelope, results, now, Console.Out);
                if (outcome == Outcome.Done)
                {
                    storm?.Sent();
                }

                return outcome == Outcome.Done ? 0 : outcome == Outcome.Temporary ? CommonOptions.Temporary : 1;
            }
            catch (Exception e) when (e is UsageException or ConfigException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine("emailcore: " + e.Message);
                return 1;
            }
            finally
            {
                foreach (IDisposable d in open)
                {
                    d.Dispose();
                }
            }
        }

        private static Mailbox[] Mailboxes(string option, string[] texts)
        {
            var list = new Mailbox[texts.Length];
            for (int i = 0; i < texts.Length; i++)
            {
                list[i] = Mailbox.Parse(texts[i]) ?? throw new UsageException(option + ": \"" + texts[i] + "\" is not an address");
            }

            return list;
        }

        /// <summary>The text from a file or standard input, checked to be UTF-8 (anything else belongs in --attach).</summary>
        private static IMessageSource Body(string? path, List<IDisposable> open)
        {
            if (path == null)
            {
                return new ByteSource(Array.Empty<byte>());
            }

            FileSource source;
            if (path == "-")
            {
                var copy = new MessageFile();
                open.Add(copy);
                using (Stream input = Console.OpenStandardInput())
                {
                    var buffer = new byte[8192];
                    int n;
                    while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        copy.Write(buffer, 0, n);
                    }
                }

                copy.Commit();
                CheckUtf8(copy, "standard input");
                return copy;
            }

            source = new FileSource(path);
            open.Add(source);
            CheckUtf8(source, path);
            return source;
        }

        /// <summary>The body with the storm-control note in front, or the body itself when there is no note.</summary>
        private static IMessageSource Prefixed(string note, IMessageSource body, List<IDisposable> open)
        {
            if (note.Length == 0)
            {
                return body;
            }

            var combined = new MessageFile();
            open.Add(combined);
            byte[] head = Encoding.UTF8.GetBytes(note);
            combined.Write(head, 0, head.Length);
            var buffer = new byte[8192];
            body.Rewind();
            int n;
            while ((n = body.Read(buffer, 0, buffer.Length)) > 0)
            {
                combined.Write(buffer, 0, n);
            }

            combined.Commit();
            return combined;
        }

        private static void CheckUtf8(IMessageSource text, string name)
        {
            Decoder decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
            var buffer = new byte[8192];
            var chars = new char[8193];
            int n;
            try
            {
                text.Rewind();
                while ((n = text.Read(buffer, 0, buffer.Length)) > 0)
                {
                    decoder.GetChars(buffer, 0, n, chars, 0, flush: false);
                }

                decoder.GetChars(buffer, 0, 0, chars, 0, flush: true);
            }
            catch (DecoderFallbackException)
            {
                throw new UsageException("--body-file: " + name + " is not UTF-8 text (attach it with --attach instead)");
            }
        }

        private static Attachment[] Attachments(FileInfo[] files, List<IDisposable> open)
        {
            var list = new Attachment[files.Length];
            for (int i = 0; i < files.Length; i++)
            {
                var source = new FileSource(files[i].FullName);
                open.Add(source);
                list[i] = new Attachment(files[i].Name, MediaType(files[i].Extension), source);
            }

            return list;
        }

        private static string MediaType(string extension) => extension.ToLowerInvariant() switch
        {
            ".txt" or ".log" => "text/plain",
            ".csv" => "text/csv",
            ".json" => "application/json",
            ".xml" => "application/xml",
            ".html" or ".htm" => "text/html",
            ".pdf" => "application/pdf",
            ".jpg" or ".jpeg" => "image/jpeg",
            ".png" => "image/png",
            ".gif" => "image/gif",
            ".zip" => "application/zip",
            ".gz" => "application/gzip",
            _ => "application/octet-stream",
        };

        public static Envelope EnvelopeOf(string sender, Mailbox[] to, Mailbox[]? cc)
        {
            var addresses = new List<string>();
            foreach (Mailbox m in to)
            {
                addresses.Add(m.Address);
            }

            foreach (Mailbox m in cc ?? Array.Empty<Mailbox>())
            {
                addresses.Add(m.Address);
            }

            return EnvelopeOf(sender, addresses);
        }

        /// <summary>An envelope for these addresses, each once (compared without case), sized to fit.</summary>
        public static Envelope EnvelopeOf(string sender, IReadOnlyList<string> recipients)
        {
            var unique = new List<string>();
            foreach (string r in recipients)
            {
                if (!unique.Exists(u => string.Equals(u, r, StringComparison.OrdinalIgnoreCase)))
                {
                    unique.Add(r);
                }
            }

            int bytes = Encoding.UTF8.GetByteCount(sender);
            foreach (string r in unique)
            {
                bytes += Encoding.UTF8.GetByteCount(r);
            }

            var envelope = new Envelope(bytes, unique.Count);
            byte[] path = Encoding.UTF8.GetBytes(sender);
            envelope.SetReversePath(path, 0, path.Length);
            foreach (string r in unique)
            {
                byte[] address = Encoding.UTF8.GetBytes(r);
                envelope.AddRecipient(address, 0, address.Length, 0, null, 0, 0);
            }

            return envelope;
        }

        public static DeliveryResult[] Results(int count)
        {
            var results = new DeliveryResult[count];
            for (int i = 0; i < count; i++)
            {
                results[i] = new DeliveryResult();
            }

            return results;
        }
    }

    /// <summary>A bad argument or input: exit 1 (send) or EX_USAGE/EX_DATAERR (sendmail) with the message.</summary>
    public sealed class UsageException(string message) : Exception(message);
}

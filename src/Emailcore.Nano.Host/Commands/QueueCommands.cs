using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Spool;

namespace Emailcore.Nano.Host.Commands
{
    /// <summary>
    /// `emailcore queue` (mailq), `queue delete ID` (postsuper -d), `flush` (postqueue -f) and `spool check`.
    /// Exit codes: 0 done, 75 a spool held by a running relay, 1 a bad argument, an unknown id, or damage found.
    /// </summary>
    public static class QueueCommands
    {
        public static Command Queue()
        {
            Option<FileInfo?> config = CommonOptions.Config;
            var id = new Argument<string>("ID") { Description = "the queue id as `emailcore queue` shows it" };
            var delete = new Command("delete", "remove a message from the queue without a bounce") { id, config };
            delete.SetAction(parse => Delete(parse.GetValue(config), parse.GetValue(id)!));
            var queue = new Command("queue", "list the queued messages, like mailq") { config, delete };
            queue.SetAction(parse => List(parse.GetValue(config)));
            return queue;
        }

        public static Command Flush()
        {
            Option<FileInfo?> config = CommonOptions.Config;
            var flush = new Command("flush", "make every deferred recipient due now") { config };
            flush.SetAction(parse => FlushAll(parse.GetValue(config)));
            return flush;
        }

        public static Command Spool()
        {
            Option<FileInfo?> config = CommonOptions.Config;
            var check = new Command("check", "verify every record of the spool and report anything dropped") { config };
            check.SetAction(parse => Check(parse.GetValue(config)));
            return new Command("spool", "spool tools") { check };
        }

        private static int List(FileInfo? configFile)
        {
            return WithSpool(configFile, readOnly: true, new ConsoleLog(LogLevel.Warning), spool =>
            {
                QueuedMessage[] messages = spool.Messages();
                if (messages.Length == 0)
                {
                    Console.WriteLine("Mail queue is empty");
                    return 0;
                }

                var envelope = new Envelope(65536, 10000);
                long bytes = 0;
                Console.WriteLine($"{"-Queue ID-",-10} {"--Size--",9} {"----Arrival Time----",-21} -Sender/Recipient-------");
                foreach (QueuedMessage message in messages)
                {
                    bytes += message.Size;
                    string sender = spool.LoadEnvelope(message.Id, envelope) ? "<" + envelope.ReversePath() + ">" : "(envelope unreadable)";
                    Console.WriteLine($"{QueueId.Format(message.Id),-10} {message.Size,9} {Time(message.ArrivalTicks),-21} {sender}");
                    for (int r = 0; r < message.RecipientCount; r++)
                    {
                        string recipient = r < envelope.RecipientCount ? envelope.Recipient(r) : "#" + r;
                        string line = $"{"",43}{recipient}  {message.State(r).ToString().ToLowerInvariant()}";
                        if (message.Attempts(r) > 0)
                        {
                            line += ", attempts " + message.Attempts(r);
                        }

                        if (message.State(r) == RecipientState.Deferred)
                        {
                            line += ", next " + (message.NextAttemptTicks(r) == 0 ? "now" : Time(message.NextAttemptTicks(r)));
                        }

                        Console.WriteLine(line);
                        string reply = spool.LastReply(message.Id, r);
                        if (reply.Length > 0)
                        {
                            Console.WriteLine($"{"",45}({reply})");
                        }
                    }
                }

                Console.WriteLine($"-- {(bytes + 1023) / 1024} Kbytes in {messages.Length} Request{(messages.Length == 1 ? "" : "s")}.");
                return 0;
            });
        }

        private static int Delete(FileInfo? configFile, string text)
        {
            if (!long.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long id) || id <= 0)
            {
                Console.Error.WriteLine("emailcore: \"" + text + "\" is not a queue id");
                return 1;
            }

            return WithSpool(configFile, readOnly: false, new ConsoleLog(LogLevel.Warning), spool =>
            {
                if (!spool.Remove(id))
                {
                    Console.Error.WriteLine("emailcore: " + QueueId.Format(id) + ": no such message in the queue");
                    return 1;
                }

                Console.WriteLine(QueueId.Format(id) + ": removed");
                return 0;
            });
        }

        private static int FlushAll(FileInfo? configFile)
        {
            return WithSpool(configFile, readOnly: false, new ConsoleLog(LogLevel.Warning), spool =>
            {
                int changed = spool.Flush();
                Console.WriteLine(changed + " deferred recipient" + (changed == 1 ? " is" : "s are") + " due now");
                return 0;
            });
        }

        private static int Check(FileInfo? configFile)
        {
            return WithSpool(configFile, readOnly: true, new ConsoleLog(LogLevel.Debug), spool =>
            {
                Console.WriteLine($"spool: {spool.SegmentCount} segments, {spool.UsedBytes} bytes, {spool.Messages().Length} queued messages");
                Console.WriteLine($"spool: {spool.DroppedMessages} uncommitted messages dropped, {spool.DroppedBytes} invalid bytes dropped");
                if (spool.Damaged)
                {
                    Console.WriteLine("spool: damaged (see the lines above)");
                    return 1;
                }

                Console.WriteLine("spool: ok");
                return 0;
            });
        }

        private static int WithSpool(FileInfo? configFile, bool readOnly, ILog log, Func<Nano.Spool.Spool, int> action)
        {
            try
            {
                MainConfig config = ConfigLoader.Load(configFile?.FullName, displayName: configFile?.ToString());
                if (readOnly && !System.IO.Directory.Exists(HostSpool.Directory(config)))
                {
                    Console.WriteLine("no spool at " + HostSpool.Directory(config) + ": nothing is queued");
                    return 0;
                }

                return action(HostSpool.Open(config, log, readOnly));
            }
            catch (ConfigException e)
            {
                Console.Error.WriteLine("emailcore: " + e.Message);
                return 1;
            }
            catch (SpoolInUseException e)
            {
                Console.Error.WriteLine("emailcore: " + e.Message);
                return CommonOptions.Temporary;
            }
            catch (Exception e) when (e is StoreException or ArgumentException)
            {
                Console.Error.WriteLine("emailcore: " + e.Message);
                return 1;
            }
        }

        private static string Time(long ticks) =>
            ticks == 0 ? "(clock unset)" : new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }
}

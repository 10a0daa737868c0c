using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Host.Submit;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Client;

namespace Emailcore.Nano.Host.Commands
{
    /// <summary>
    /// `emailcore sendmail`, the interface cron, smartd, unattended-upgrades and scripts call as /usr/sbin/sendmail:
    /// the message on standard input, recipients as arguments and/or from its To/Cc/Bcc with -t. It is queued with the
    /// relay (<see cref="Submission"/>). Its arguments follow sendmail's conventions, not this program's (options
    /// glued to their values, -oi), so it reads them itself. Exit codes are sendmail's (sysexits.h).
    /// </summary>
    public static class SendmailCommand
    {
        public const int ExUsage = 64;
        public const int ExDataErr = 65;
        public const int ExUnavailable = 69;
        public const int ExTempFail = CommonOptions.Temporary;
        public const int ExConfig = 78;

        private const string Usage = "usage: emailcore sendmail [--config FILE] [-t] [-i] [-f sender] [-F 'Full Name'] [-bm] [-odi] [recipient ...] < message";

        public static Command Create()
        {
            var arguments = new Argument<string[]>("ARGS") { Description = "sendmail's options and the recipients", Arity = ArgumentArity.ZeroOrMore };
            var sendmail = new Command("sendmail", "the Unix sendmail interface: queue the message on standard input (-t: recipients from To/Cc/Bcc; -i: a lone dot is data)")
            {
                arguments,
            };
            sendmail.TreatUnmatchedTokensAsErrors = false;
            sendmail.SetAction(parse =>
            {
                // Every token after the verb, in the order given: "-f" and its value must stay together.
                var all = new List<string>();
                bool after = false;
                foreach (System.CommandLine.Parsing.Token token in parse.Tokens)
                {
                    if (after)
                    {
                        all.Add(token.Value);
                    }

                    after |= token.Type == System.CommandLine.Parsing.TokenType.Command && token.Value == "sendmail";
                }

                return Run(all, Console.OpenStandardInput(), Console.Out, Console.Error);
            });
            return sendmail;
        }

        /// <summary>The parsed command line.</summary>
        public sealed class Options
        {
            public string? Config;
            public bool ExtractRecipients;
            public bool DotIsData;
            public string? Sender;
            public string? FullName;
            public readonly List<string> Recipients = new();
        }

        /// <summary>Reads sendmail's options; a null return has printed the problem (EX_USAGE).</summary>
        public static Options? Parse(IList<string> args, TextWriter error)
        {
            var o = new Options();
            for (int i = 0; i < args.Count; i++)
            {
                string a = args[i];
                if (a == "--")
                {
                    for (i++; i < args.Count; i++)
                    {
                        o.Recipients.Add(args[i]);
                    }

                    break;
                }

                if (a == "--config")
                {
                    o.Config = Value(args, ref i, a, string.Empty, error);
                    if (o.Config == null)
                    {
                        return null;
                    }

                    continue;
                }

                if (a.Length < 2 || a[0] != '-')
                {
                    o.Recipients.Add(a);
                    continue;
                }

                char letter = a[1];
                string glued = a.Substring(2);
                switch (letter)
                {
                    case 't':
                        o.ExtractRecipients = true;
                        break;
                    case 'i':
                        o.DotIsData = true;
                        break;
                    case 'o':
                        // -oi is -i; the rest (-odi, -odb, -oem, -oep, -om ...) tune sendmail's own delivery and error
                        // modes; the relay always delivers in the background and reports by bounce, so they change nothing.
                        o.DotIsData |= glued == "i";
                        break;
                    case 'b':
                        if (glued != "m")
                        {
                            error.WriteLine("emailcore sendmail: -b" + glued + " is not supported (only -bm, read mail from standard input; see emailcore queue and emailcore flush)");
                            return null;
                        }

                        break;
                    case 'f':
                    case 'r':
                        o.Sender = Value(args, ref i, a, glued, error);
                        if (o.Sender == null)
                        {
                            return null;
                        }

                        break;
                    case 'F':
                        o.FullName = Value(args, ref i, a, glued, error);
                        if (o.FullName == null)
                        {
                            return null;
                        }

                        break;
                    case 'C':
                        o.Config = Value(args, ref i, a, glued, error);
                        if (o.Config == null)
                        {
                            return null;
                        }

                        break;
                    case 'B':
                    case 'N':
                    case 'R':
                    case 'V':
                    case 'L':
                    case 'O':
                        // BODY type (8-bit content is detected), DSN NOTIFY/RET/ENVID, a log label, an option: accepted, not needed.
                        if (Value(args, ref i, a, glued, error) == null)
                        {
                            return null;
                        }

                        break;
                    case 'v':
                    case 'U':
                    case 'G':
                    case 'n':
                    case 'm':
                        break;
                    default:
                        error.WriteLine("emailcore sendmail: unknown option " + a);
                        error.WriteLine(Usage);
                        return null;
                }
            }

            return o;
        }

        public static int Run(IList<string> args, Stream input, TextWriter output, TextWriter error)
        {
            Options? o = Parse(args, error);
            if (o == null)
            {
                return ExUsage;
            }

            MainConfig config;
            try
            {
                config = ConfigLoader.Load(o.Config == null ? null : Path.GetFullPath(o.Config), displayName: o.Config);
            }
            catch (ConfigException e)
            {
                error.WriteLine("emailcore sendmail: " + e.Message);
                return ExConfig;
            }

            string localDomain = LocalDomain(config);
            string sender = o.Sender == null ? Environment.UserName + "@" + localDomain : o.Sender == "<>" ? string.Empty : Complete(Unbracket(o.Sender), localDomain);
            if (sender.Length > 0 && !Mailbox.IsValidAddress(sender))
            {
                error.WriteLine("emailcore sendmail: -f " + o.Sender + ": not an address");
                return ExUsage;
            }

            using var message = new MessageFile();
            var reader = new SendmailInput();
            try
            {
                string header = sender.Length > 0 ? sender : "MAILER-DAEMON@" + localDomain;
                string host = config.GetString(Parameters.Myhostname);
                reader.Read(input, !o.DotIsData, message, header, o.FullName, host.Length > 0 ? host : localDomain);
            }
            catch (InvalidDataException e)
            {
                error.WriteLine("emailcore sendmail: " + e.Message);
                return ExDataErr;
            }

            var recipients = new List<string>();
            foreach (string r in o.Recipients)
            {
                // A comma-separated argument is several recipients, as sendmail and Postfix read it.
                var parsed = AddressList.Parse(r);
                recipients.AddRange(parsed.Count > 0 ? parsed : new List<string> { r });
            }

            if (o.ExtractRecipients)
            {
                recipients.AddRange(reader.HeaderRecipients);
            }

            for (int i = 0; i < recipients.Count; i++)
            {
                recipients[i] = Complete(recipients[i], localDomain);
                if (!Mailbox.IsValidAddress(recipients[i]))
                {
                    error.WriteLine("emailcore sendmail: <" + recipients[i] + ">: not an address");
                    return ExDataErr;
                }
            }

            if (recipients.Count == 0)
            {
                error.WriteLine("emailcore sendmail: no recipients (name them as arguments, or use -t to take them from To, Cc and Bcc)");
                return ExUsage;
            }

            Envelope envelope = SendCommand.EnvelopeOf(sender, recipients);
            envelope.Body = message.EightBit ? BodyType.EightBitMime : BodyType.Unspecified;
            DeliveryResult[] results = SendCommand.Results(envelope.RecipientCount);
            var log = new ConsoleLog(LogLevel.Warning);
            try
            {
                Submission.Submit(config, envelope, message, results, log);
            }
            catch (ConfigException e)
            {
                error.WriteLine("emailcore sendmail: " + e.Message);
                return ExConfig;
            }

            // Programs that pipe to sendmail expect silence on success; what went wrong goes to standard error.
            var report = new StringWriter();
            Outcome outcome = Outcomes.Print(envelope, results, delivered: false, report);
            if (outcome != Outcome.Done)
            {
                error.Write(report.ToString());
            }

            return outcome == Outcome.Done ? 0 : outcome == Outcome.Temporary ? ExTempFail : ExUnavailable;
        }

        /// <summary>Where bare names ("root") go: the first mydestination domain, so they stay local and alias_maps applies.</summary>
        private static string LocalDomain(MainConfig config)
        {
            string[] destinations = config.GetList(Parameters.Mydestination);
            string host = config.GetString(Parameters.Myhostname);
            return destinations.Length > 0 ? destinations[0] : host.Length > 0 ? host : "localhost";
        }

        private static string Complete(string address, string localDomain) =>
            address.IndexOf('@') < 0 && address.Length > 0 ? address + "@" + localDomain : address;

        private static string Unbracket(string address) =>
            address.Length >= 2 && address[0] == '<' && address[^1] == '>' ? address[1..^1] : address;

        private static string? Value(IList<string> args, ref int i, string option, string glued, TextWriter error)
        {
            if (glued.Length > 0)
            {
                return glued;
            }

            if (i + 1 < args.Count)
            {
                return args[++i];
            }

            error.WriteLine("emailcore sendmail: " + option + " needs a value");
            return null;
        }
    }
}

using System;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Relay
{
    /// <summary>
    /// Writes an RFC 3464 delivery status notification: a multipart/report (RFC 6522) with a human-readable
    /// part, the message/delivery-status part, and the original message (RET=FULL, within bounce_size_limit)
    /// or its header section (RET=HDRS, or when too large).
    /// </summary>
    public sealed class DeliveryStatusNotification
    {
        /// <summary>The diagnostic-type of reasons we wrote ourselves (RFC 3464 §2.3.6 allows X- extensions).</summary>
        public const string LocalDiagnosticType = "X-Emailcore";

        private readonly string _reportingMta;
        private readonly IRandom _random;
        private readonly long _returnLimit;
        private readonly MessageWriter _writer;
        private readonly byte[] _copyBuffer;

        /// <param name="doubleBounceSender">Postfix's double_bounce_sender: the local part (or address) that sends postmaster notifications.</param>
        /// <param name="noticeRecipient">Postfix's 2bounce_notice_recipient: who gets undeliverable notifications.</param>
        public DeliveryStatusNotification(string reportingMta, IRandom random, long returnLimit, byte[] scratch, string doubleBounceSender, string noticeRecipient)
        {
            DoubleBounceSender = doubleBounceSender.IndexOf('@') < 0 ? doubleBounceSender + "@" + reportingMta : doubleBounceSender;
            NoticeRecipient = noticeRecipient;
            _reportingMta = reportingMta;
            _random = random;
            _returnLimit = returnLimit;
            _writer = new MessageWriter(scratch.Length);
            _copyBuffer = scratch;
        }

        /// <summary>
        /// The sender of postmaster notifications about undeliverable notifications; what fails from it is
        /// discarded (Postfix's double_bounce_sender), so a double bounce is sent once and never loops.
        /// </summary>
        public string DoubleBounceSender { get; }

        /// <summary>The recipient of double bounces (Postfix's 2bounce_notice_recipient).</summary>
        public string NoticeRecipient { get; }

        /// <summary>
        /// Fills the envelope of a notification to <paramref name="to"/>. A null <paramref name="sender"/> gives
        /// the null reverse-path (RFC 3461 §6.2 / RFC 5321 §4.5.5), so it is never answered by another
        /// notification to a sender; a double bounce comes from <see cref="DoubleBounceSender"/> instead.
        /// </summary>
        public static void PrepareEnvelope(Envelope dsn, Envelope original, string sender, string to)
        {
            dsn.Clear();
            byte[] from = sender == null ? null : Text.Utf8.GetBytes(sender);
            dsn.SetReversePath(from, 0, from == null ? 0 : from.Length);
            byte[] address = Text.Utf8.GetBytes(to);
            dsn.AddRecipient(address, 0, address.Length, Notify.Never, null, 0, 0);
            dsn.Body = original.Body == BodyType.EightBitMime ? BodyType.EightBitMime : BodyType.SevenBit;
            dsn.SmtpUtf8 = original.SmtpUtf8;
        }

        /// <summary>Writes the notification's content; false when the sink refused it (store full).</summary>
        public bool Write(IMessageSink sink, string to, Envelope original, string originalQueueId, DateTime arrival, DateTime now, RecipientReport[] reports, int count, IMessageSource originalContent)
        {
            string boundary = originalQueueId + "." + RandomToken() + "/" + _reportingMta;
            bool failed = false;
            bool delayed = false;
            for (int i = 0; i < count; i++)
            {
                failed |= reports[i].Action == "failed";
                delayed |= reports[i].Action == "delayed";
            }

            MessageWriter w = _writer;
            w.Attach(sink);
            w.Line("From: MAILER-DAEMON@" + _reportingMta + " (Mail Delivery System)");
            w.Line("To: <" + to + ">");
            w.Line("Subject: " + (failed ? "Undelivered Mail Returned to Sender" : delayed ? "Delayed Mail (still being retried)" : "Successful Mail Delivery Report"));
            w.Line("Date: " + Rfc5322Date.Format(now));
            w.Line("Message-ID: <" + originalQueueId + "." + RandomToken() + "@" + _reportingMta + ">");

            // RFC 3834 §5: a notification is an automatic response.
            w.Line("Auto-Submitted: auto-replied");
            w.Line("MIME-Version: 1.0");
            w.Line("Content-Type: multipart/report; report-type=delivery-status;");
            w.Line("\tboundary=\"" + boundary + "\"");
            w.Line("Content-Transfer-Encoding: " + (original.Body == BodyType.EightBitMime ? "8bit" : "7bit"));
            w.Line(string.Empty);
            w.Line("This is a MIME-encapsulated message.");
            w.Line(string.Empty);

            w.Line("--" + boundary);
            w.Line("Content-Description: Notification");
            w.Line("Content-Type: text/plain; charset=utf-8");
            w.Line(string.Empty);
            w.Line("This is the mail system at host " + _reportingMta + ".");
            w.Line(string.Empty);
            w.Line(failed
                ? "I'm sorry to have to inform you that your message could not be delivered to one or more recipients. It's attached below."
                : delayed ? "Your message could not be delivered yet; the mail system will keep trying." : "Your message was delivered to the recipients below.");
            w.Line(string.Empty);
            for (int i = 0; i < count; i++)
            {
                RecipientReport r = reports[i];
                w.Line("<" + r.FinalRecipient + ">: " + (r.Diagnostic ?? r.Status));
            }

            w.Line(string.Empty);
            w.Line("--" + boundary);
            w.Line("Content-Description: Delivery report");
            w.Line("Content-Type: message/delivery-status");
            w.Line(string.Empty);

            // RFC 3464 §2.2: per-message fields.
            w.Line("Reporting-MTA: dns; " + _reportingMta);
            w.Line("X-Emailcore-Queue-ID: " + originalQueueId);
            if (original.EnvIdLength > 0)
            {
                w.Line("Original-Envelope-Id: " + XText.Decode(Text.Utf8.GetString(original.Arena, original.EnvIdOffset, original.EnvIdLength)));
            }

            w.Line("Arrival-Date: " + Rfc5322Date.Format(arrival));
            for (int i = 0; i < count; i++)
            {
                // RFC 3464 §2.3: per-recipient fields, each group after an empty line.
                RecipientReport r = reports[i];
                w.Line(string.Empty);
                w.Line("Final-Recipient: rfc822; " + r.FinalRecipient);
                if (r.OriginalRecipient != null)
                {
                    w.Line("Original-Recipient: " + r.OriginalRecipient);
                }

                w.Line("Action: " + r.Action);
                w.Line("Status: " + r.Status);
                // RFC 3464 §2.3.5: the name-type "dns" needs a name; a server known only by its address has none to give.
                string remoteName = NameOf(r.RemoteMta);
                if (remoteName != null)
                {
                    w.Line("Remote-MTA: dns; " + remoteName);
                }

                // RFC 3464 §2.3.6: "smtp" only for what the server said; our own words get an X- type, as Postfix's "X-Postfix".
                if (r.Diagnostic != null)
                {
                    w.Line("Diagnostic-Code: " + (r.Replied ? "smtp; " : LocalDiagnosticType + "; ") + r.Diagnostic);
                }
            }

            w.Line(string.Empty);
            w.Line("--" + boundary);
            bool full = original.Ret != DsnReturn.Headers && originalContent.Length <= _returnLimit;
            w.Line(full ? "Content-Description: Undelivered Message" : "Content-Description: Undelivered Message Headers");
            w.Line(full ? "Content-Type: message/rfc822" : "Content-Type: text/rfc822-headers");
            w.Line(string.Empty);
            if (full)
            {
                originalContent.Rewind();
                int n;
                while ((n = originalContent.Read(_copyBuffer, 0, _copyBuffer.Length)) > 0)
                {
                    w.Append(_copyBuffer, 0, n);
                }
            }
            else
            {
                HeaderSection.CopyHeaders(originalContent, _copyBuffer, w);
            }

            w.Line(string.Empty);
            w.Line("--" + boundary + "--");
            w.Flush();
            return !w.Failed;
        }

        /// <summary>The host name of a "host[address]:port" relay, or null when there is none or it is only the address.</summary>
        private static string NameOf(string relay)
        {
            if (relay == null)
            {
                return null;
            }

            int open = relay.IndexOf('[');
            if (open <= 0)
            {
                return null;
            }

            string host = relay.Substring(0, open);
            int close = relay.IndexOf(']', open);
            return close < 0 || relay.Substring(open + 1, close - open - 1) == host ? null : host;
        }

        private string RandomToken()
        {
            var bytes = new byte[6];
            _random.NextBytes(bytes, 0, bytes.Length);
            long value = 0;
            for (int i = 0; i < bytes.Length; i++)
            {
                value = (value << 8) | bytes[i];
            }

            return QueueId.Format(value);
        }
    }
}

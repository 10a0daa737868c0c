using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Relay
{
    /// <summary>
    /// Log lines in Postfix's maillog shape, so an administrator's greps keep working:
    /// "3F2A9C: from=&lt;a@lan&gt;, size=1234, nrcpt=1" and
    /// "3F2A9C: to=&lt;b@example.com&gt;, relay=smtp.example.com[192.0.2.5]:587, delay=0.8, delays=0.1/0/0.5/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok)".
    /// </summary>
    public sealed class MailLog
    {
        private readonly ILog _log;

        public MailLog(ILog log)
        {
            _log = log;
        }

        public void Queued(string queueId, string sender, long size, int recipients)
        {
            _log.Write(LogLevel.Info, queueId + ": from=<" + sender + ">, size=" + size.ToString() + ", nrcpt=" + recipients.ToString() + " (queue active)");
        }

        /// <summary>
        /// One recipient's outcome. delay= is arrival to this outcome; delays=a/b/c/d splits it as Postfix does:
        /// before the queue manager (arrival until this attempt took the message up), in the queue manager (until
        /// this recipient's turn), connection setup (DNS, connect, greeting, EHLO, TLS, AUTH) and transmission.
        /// </summary>
        /// <param name="originalRecipient">The recipient before alias or list expansion (orig_to=), or null.</param>
        /// <param name="relay">"host[address]:port", "local", or "none" when no server was reached.</param>
        /// <param name="status">sent, deferred, bounced or expanded.</param>
        public void Delivery(string queueId, string recipient, string originalRecipient, string relay, long beforeQueueManager, long inQueueManager,
            long connectionSetup, long transmission, string dsn, string status, string reply)
        {
            string orig = originalRecipient != null ? ", orig_to=<" + originalRecipient + ">" : string.Empty;
            long delay = beforeQueueManager + inQueueManager + connectionSetup + transmission;
            _log.Write(
                status == "deferred" ? LogLevel.Warning : LogLevel.Info,
                queueId + ": to=<" + recipient + ">" + orig + ", relay=" + relay + ", delay=" + FormatDelay(delay)
                + ", delays=" + FormatDelay(beforeQueueManager) + "/" + FormatDelay(inQueueManager) + "/" + FormatDelay(connectionSetup) + "/" + FormatDelay(transmission)
                + ", dsn=" + dsn + ", status=" + status + " (" + reply + ")");
        }

        public void Removed(string queueId)
        {
            _log.Write(LogLevel.Info, queueId + ": removed");
        }

        /// <summary>Seconds as Postfix prints them: two significant digits below 10 s ("0.8", "0.02", "2.3"), whole seconds above.</summary>
        public static string FormatDelay(long milliseconds)
        {
            if (milliseconds < 0)
            {
                milliseconds = 0;
            }

            if (milliseconds >= 10000)
            {
                return (milliseconds / 1000).ToString();
            }

            if (milliseconds >= 1000)
            {
                long tenths = milliseconds / 100;
                return (tenths / 10).ToString() + "." + (tenths % 10).ToString();
            }

            if (milliseconds >= 100)
            {
                return "0." + (milliseconds / 100).ToString();
            }

            // Below Postfix's resolution (delay_logging_resolution_limit = 2 digits) a time is "0".
            long hundredths = milliseconds / 10;
            return hundredths == 0 ? "0" : "0.0" + hundredths.ToString();
        }
    }
}

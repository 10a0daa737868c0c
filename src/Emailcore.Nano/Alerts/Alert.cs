using Emailcore.Nano.Mail;

namespace Emailcore.Nano.Alerts
{
    /// <summary>What an alert says about its key: something is wrong, or it is back to normal.</summary>
    public enum AlertState
    {
        Problem = 0,

        /// <summary>Back to normal: always goes out when the recipients were last told of a problem.</summary>
        Normal = 1,
    }

    /// <summary>
    /// One alert as the board's code raises it: <see cref="AlertService.Send(Alert)"/> checks, composes and queues it.
    /// Only the subject is required; everything else has a default.
    /// </summary>
    public sealed class Alert
    {
        public Alert(string key, string subject, string body)
        {
            Key = key;
            Subject = subject;
            Body = body;
        }

        /// <summary>What storm control counts alerts by ("door-rack3", "temperature"); null: the subject.</summary>
        public string Key { get; set; }

        public string Subject { get; set; }

        /// <summary>Plain text; lines may end in LF or CRLF.</summary>
        public string Body { get; set; }

        /// <summary>Addresses ("ops@example.com" or "Ops &lt;ops@example.com&gt;"); null: alert_recipients.</summary>
        public string[] To { get; set; }

        public string[] Cc { get; set; }

        /// <summary>Files to attach, read in chunks while the alert is queued (<see cref="StoreFileSource"/>).</summary>
        public Attachment[] Attachments { get; set; }

        public AlertState State { get; set; }
    }
}

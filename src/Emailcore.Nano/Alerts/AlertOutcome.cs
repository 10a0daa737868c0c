namespace Emailcore.Nano.Alerts
{
    /// <summary>What became of an alert.</summary>
    public enum AlertStatus
    {
        /// <summary>Committed to the spool: it survives a reboot and the relay delivers it.</summary>
        Queued = 0,

        /// <summary>Held back by storm control (rate or duplicate); counted, and reported by the next alert of its key.</summary>
        Suppressed = 1,

        /// <summary>The spool is full (or the flash failed); nothing was kept. Worth trying again later.</summary>
        NoRoom = 2,

        /// <summary>A recipient or the sender is not an RFC 5321 mailbox.</summary>
        InvalidAddress = 3,

        /// <summary>A CR or LF in a header value (subject, name, file name): refused, so no header can be injected.</summary>
        InvalidHeader = 4,

        /// <summary>Something else the call got wrong (too many recipients, no subject, a bad media type...).</summary>
        InvalidArgument = 5,

        /// <summary>Neither the call nor alert_recipients names a recipient.</summary>
        NoRecipients = 6,
    }

    /// <summary><see cref="AlertService.Send(Alert)"/>'s answer: the status, the queue id when queued, and a reason otherwise.</summary>
    public struct AlertOutcome
    {
        public AlertOutcome(AlertStatus status, long queueId, string detail)
        {
            Status = status;
            QueueId = queueId;
            Detail = detail;
        }

        public AlertStatus Status { get; }

        /// <summary>The spool's id (as `emailcore queue` shows it in hex) when <see cref="Status"/> is Queued, else -1.</summary>
        public long QueueId { get; }

        /// <summary>Which argument was wrong, or how many alerts of the key are now suppressed; null when queued.</summary>
        public string Detail { get; }

        public bool IsQueued
        {
            get { return Status == AlertStatus.Queued; }
        }
    }
}

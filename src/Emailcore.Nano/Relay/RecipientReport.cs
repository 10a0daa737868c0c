namespace Emailcore.Nano.Relay
{
    /// <summary>One recipient's lines in a delivery status notification (RFC 3464 §2.3).</summary>
    public sealed class RecipientReport
    {
        public RecipientReport(string finalRecipient, string originalRecipient, string action, string status, string remoteMta, string diagnostic, bool replied)
        {
            Replied = replied;
            FinalRecipient = finalRecipient;
            OriginalRecipient = originalRecipient;
            Action = action;
            Status = status;
            RemoteMta = remoteMta;
            Diagnostic = diagnostic;
        }

        public string FinalRecipient { get; }

        /// <summary>The ORCPT parameter as "addr-type;address" (xtext decoded), or null.</summary>
        public string OriginalRecipient { get; }

        /// <summary>RFC 3464 §2.3.3: failed, delayed, delivered, relayed or expanded.</summary>
        public string Action { get; }

        /// <summary>RFC 3463 status code, "5.1.1".</summary>
        public string Status { get; }

        /// <summary>The server that answered as "host[address]:port", or null for local delivery and for failures before any reply.</summary>
        public string RemoteMta { get; }

        /// <summary>The SMTP reply ("550 5.1.1 no such user"), or our own reason.</summary>
        public string Diagnostic { get; }

        /// <summary>True when <see cref="Diagnostic"/> is the remote server's reply, false when we wrote it.</summary>
        public bool Replied { get; }
    }
}

using System.IO;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Smtp.Client;

namespace Emailcore.Nano.Host.Submit
{
    /// <summary>The worst that happened to any recipient of a submission.</summary>
    public enum Outcome
    {
        /// <summary>Every recipient delivered or queued.</summary>
        Done = 0,

        /// <summary>Some recipient can be tried again later (it is queued when it could be).</summary>
        Temporary = 1,

        /// <summary>Some recipient, or the message, was refused for good.</summary>
        Permanent = 2,
    }

    public static class Outcomes
    {
        /// <summary>
        /// Prints one line per recipient in Postfix's maillog shape ("to=&lt;a@b&gt;, relay=..., dsn=2.0.0,
        /// status=sent (250 ...)") and returns the worst outcome. A 2xx is "sent" from --now, else "queued".
        /// </summary>
        public static Outcome Print(Envelope envelope, DeliveryResult[] results, bool delivered, TextWriter output)
        {
            Outcome worst = Outcome.Done;
            for (int r = 0; r < envelope.RecipientCount; r++)
            {
                DeliveryResult result = results[r];
                bool queued = result.Relay == "spool" || !delivered;
                string status = result.Delivered ? (queued ? "queued" : "sent") : result.Permanent ? "bounced" : "deferred";
                output.WriteLine("to=<" + envelope.Recipient(r) + ">, relay=" + result.Relay + ", dsn=" + result.Status + ", status=" + status + " (" + result.Text + ")");
                Outcome outcome = result.Delivered ? Outcome.Done : result.Permanent ? Outcome.Permanent : Outcome.Temporary;
                worst = outcome > worst ? outcome : worst;
            }

            return worst;
        }
    }
}

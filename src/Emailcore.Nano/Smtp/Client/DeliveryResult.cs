namespace Emailcore.Nano.Smtp.Client
{
    /// <summary>One recipient's outcome of a delivery attempt: the reply (or our own reason) and who gave it.</summary>
    public sealed class DeliveryResult
    {
        /// <summary>The reply code: 2xx delivered, 4xx try again later, 5xx failed for good.</summary>
        public int Code { get; private set; }

        /// <summary>RFC 3463 enhanced status, "2.0.0".</summary>
        public string Status { get; private set; }

        /// <summary>The reply as the log and a bounce show it, "550 5.1.1 no such user".</summary>
        public string Text { get; private set; }

        /// <summary>"host[address]:port", "local", or "none" when no server was reached.</summary>
        public string Relay { get; private set; }

        public bool Delivered
        {
            get { return Code >= 200 && Code < 300; }
        }

        public bool Permanent
        {
            get { return Code >= 500; }
        }

        /// <summary>True when <see cref="Text"/> is what the server itself replied, false when this side wrote it (RFC 3464 §2.3.6: only a server's reply is an "smtp" diagnostic).</summary>
        public bool Replied { get; private set; }

        /// <summary>An outcome this side decided and described.</summary>
        public void Set(int code, string status, string text, string relay)
        {
            Code = code;
            Status = status;
            Text = text;
            Relay = relay;
            Replied = false;
        }

        /// <summary>An outcome the server at <paramref name="relay"/> gave in its reply <paramref name="text"/>.</summary>
        public void SetReply(int code, string status, string text, string relay)
        {
            Set(code, status, text, relay);
            Replied = true;
        }
    }
}

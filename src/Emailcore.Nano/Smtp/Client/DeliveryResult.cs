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

        public void Set(int code, string status, string text, string relay)
        {
            Code = code;
            Status = status;
            Text = text;
            Relay = relay;
        }
    }
}

using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Dns
{
    public enum RouteStatus
    {
        /// <summary>At least one target with addresses, in the order to try.</summary>
        Deliverable,

        /// <summary>No delivery is possible: bounce with <see cref="MailRoute.EnhancedCode"/>.</summary>
        Permanent,

        /// <summary>DNS could not say (timeout, SERVFAIL): defer and retry.</summary>
        Temporary,
    }

    /// <summary>One host to try: its name, MX preference and addresses (IPv4 first, then IPv6), each with the port.</summary>
    public sealed class DeliveryTarget
    {
        /// <summary>Addresses kept per host; Postfix's smtp_mx_address_limit is 5 by default, and a board tries fewer.</summary>
        public const int MaxAddresses = 8;

        private readonly Endpoint[] _addresses = new Endpoint[MaxAddresses];

        public DeliveryTarget()
        {
            for (int i = 0; i < MaxAddresses; i++)
            {
                _addresses[i] = new Endpoint();
            }
        }

        public string Host { get; set; }

        public int Preference { get; set; }

        public int AddressCount { get; set; }

        public Endpoint Address(int index)
        {
            return _addresses[index];
        }
    }

    /// <summary>
    /// Where mail for one domain goes (RFC 5321 §5.1): targets by MX preference, or the permanent or temporary
    /// reason there are none. Allocated once and refilled by each <see cref="MailRouter"/> call.
    /// </summary>
    public sealed class MailRoute
    {
        /// <summary>MX hosts kept per domain, best preferences first.</summary>
        public const int MaxTargets = 10;

        private readonly DeliveryTarget[] _targets = new DeliveryTarget[MaxTargets];

        public MailRoute()
        {
            for (int i = 0; i < MaxTargets; i++)
            {
                _targets[i] = new DeliveryTarget();
            }
        }

        public RouteStatus Status { get; private set; }

        /// <summary>RFC 3463 code for a failure ("5.1.10"), null when deliverable.</summary>
        public string EnhancedCode { get; private set; }

        /// <summary>Human-readable reason for a failure, fit for a log line or a DSN's diagnostic.</summary>
        public string Reason { get; private set; }

        public int Count { get; private set; }

        public DeliveryTarget this[int index]
        {
            get { return _targets[index]; }
        }

        internal void Reset()
        {
            Status = RouteStatus.Deliverable;
            EnhancedCode = null;
            Reason = null;
            Count = 0;
        }

        internal DeliveryTarget Add()
        {
            DeliveryTarget target = _targets[Count++];
            target.AddressCount = 0;
            return target;
        }

        internal void DropLast()
        {
            Count--;
        }

        internal MailRoute Fail(RouteStatus status, string enhancedCode, string reason)
        {
            Status = status;
            EnhancedCode = enhancedCode;
            Reason = reason;
            Count = 0;
            return this;
        }
    }
}

using Emailcore.Nano.Config;

namespace Emailcore.Nano.Relay
{
    /// <summary>Where one recipient goes: the local Maildir, or an SMTP next hop.</summary>
    public sealed class Route
    {
        private Route(string localPart, NextHop hop)
        {
            LocalPart = localPart;
            Hop = hop;
        }

        public bool IsLocal
        {
            get { return Hop == null; }
        }

        /// <summary>For local delivery: the mailbox (lower case for folders is the delivery's job).</summary>
        public string LocalPart { get; }

        /// <summary>For SMTP: the next hop; a non-bracketed host means "look up its MX records".</summary>
        public NextHop Hop { get; }

        /// <summary>Recipients with equal keys share a connection.</summary>
        public string Key
        {
            get { return IsLocal ? "local" : Hop.ToString(); }
        }

        public static Route Local(string localPart)
        {
            return new Route(localPart, null);
        }

        public static Route Smtp(NextHop hop)
        {
            return new Route(null, hop);
        }
    }
}

using Emailcore.Nano.Config;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Relay
{
    /// <summary>
    /// Expands a local recipient through the aliases table (RFC 5321 §3.4.2). An alias replaces the recipient and
    /// keeps the envelope sender; the members of a list (a name with an "owner-NAME" entry) get the list owner as
    /// envelope sender, as the 5321bis discussion requires, and the header is never touched. Nesting is bounded,
    /// a name that lists itself is delivered to its own mailbox, and any other cycle is a loop (5.4.6).
    /// Results are kept in arrays sized at construction: <see cref="Count"/> addresses, each with its sender.
    /// </summary>
    public sealed class AliasExpansion
    {
        public const int MaxDepth = 8;

        private readonly Aliases _aliases;
        private readonly Router _router;
        private readonly string _ownerDomain;
        private readonly string[] _addresses;
        private readonly string[] _senders;
        private readonly string[] _path = new string[MaxDepth + 1];
        private string _domain;

        /// <param name="ownerDomain">The domain list owners' addresses get ("owner-staff@" + this).</param>
        public AliasExpansion(Aliases aliases, Router router, string ownerDomain, int maxResults)
        {
            _aliases = aliases;
            _router = router;
            _ownerDomain = ownerDomain;
            _addresses = new string[maxResults];
            _senders = new string[maxResults];
        }

        public int Count { get; private set; }

        /// <summary>Why the last expansion failed, or null.</summary>
        public string Error { get; private set; }

        /// <summary>The enhanced status of the failure (5.4.6 loop, 5.3.4 too many), or null.</summary>
        public string ErrorStatus { get; private set; }

        public string AddressAt(int index)
        {
            return _addresses[index];
        }

        /// <summary>The envelope sender for the address: null keeps the original, else a list owner.</summary>
        public string SenderAt(int index)
        {
            return _senders[index];
        }

        /// <summary>True when <paramref name="localPart"/> is an alias or list; the results are then ready.</summary>
        public bool IsAlias(string localPart)
        {
            return _aliases.Lookup(localPart) != null;
        }

        /// <summary>
        /// Expands; false with <see cref="Error"/> set on a loop, too deep a nesting or too many results. Local
        /// results are full addresses in <paramref name="domain"/> (the expanded recipient's), as Postfix qualifies
        /// bare alias targets (append_at_myorigin), so logs and Delivered-To name one address for one mailbox.
        /// </summary>
        public bool Expand(string localPart, string domain)
        {
            Count = 0;
            Error = null;
            ErrorStatus = null;
            _domain = domain.Length > 0 ? domain : _ownerDomain;
            return Walk(localPart, null, 0);
        }

        private bool Walk(string name, string sender, int depth)
        {
            string[] targets = _aliases.Lookup(name);
            if (targets == null)
            {
                return Add(name + "@" + _domain, sender);
            }

            if (depth == MaxDepth)
            {
                return Fail("alias nesting deeper than " + MaxDepth.ToString() + " at \"" + name + "\"", "5.4.6");
            }

            for (int i = 0; i < depth; i++)
            {
                if (Ascii.EqualsIgnoreCase(_path[i], name))
                {
                    return Fail("mail forwarding loop through alias \"" + name + "\"", "5.4.6");
                }
            }

            _path[depth] = name;
            string owner = _aliases.OwnerOf(name);
            string memberSender = owner != null ? owner + "@" + _ownerDomain : sender;
            for (int i = 0; i < targets.Length; i++)
            {
                string target = targets[i];
                Route route = _router.Resolve(target);
                if (!route.IsLocal)
                {
                    if (!Add(target, memberSender))
                    {
                        return false;
                    }

                    continue;
                }

                // An alias that names itself delivers to its own mailbox instead of expanding again.
                bool self = Ascii.EqualsIgnoreCase(route.LocalPart, name);
                if (!(self ? Add(route.LocalPart + "@" + _domain, memberSender) : Walk(route.LocalPart, memberSender, depth + 1)))
                {
                    return false;
                }
            }

            return true;
        }

        private bool Add(string address, string sender)
        {
            for (int i = 0; i < Count; i++)
            {
                if (Ascii.EqualsIgnoreCase(_addresses[i], address) && _senders[i] == sender)
                {
                    return true;
                }
            }

            if (Count == _addresses.Length)
            {
                return Fail("alias expansion gives more than " + _addresses.Length.ToString() + " recipients", "5.3.4");
            }

            _addresses[Count] = address;
            _senders[Count] = sender;
            Count++;
            return true;
        }

        private bool Fail(string why, string status)
        {
            Error = why;
            ErrorStatus = status;
            return false;
        }
    }
}

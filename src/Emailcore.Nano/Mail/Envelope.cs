using Emailcore.Nano.Text;

namespace Emailcore.Nano.Mail
{
    /// <summary>RFC 6152 / RFC 1652 BODY parameter.</summary>
    public enum BodyType
    {
        Unspecified = 0,
        SevenBit = 1,
        EightBitMime = 2,
    }

    /// <summary>RFC 3461 §4.3 RET parameter.</summary>
    public enum DsnReturn
    {
        Unspecified = 0,
        Full = 1,
        Headers = 2,
    }

    /// <summary>RFC 3461 §4.1 NOTIFY flags; 0 means the parameter was not given.</summary>
    public static class Notify
    {
        public const int Never = 1;
        public const int Success = 2;
        public const int Failure = 4;
        public const int Delay = 8;
    }

    /// <summary>
    /// One transaction's envelope (RFC 5321 §2.3.1): the reverse-path, the forward-paths and the ESMTP
    /// parameters that travel with them. Addresses live in one byte arena allocated at construction, so
    /// a session reuses one envelope for every message; a full arena is the caller's 452 (too many recipients).
    /// Paths are stored as mailboxes only: source routes are dropped before they get here.
    /// </summary>
    public sealed class Envelope
    {
        private readonly byte[] _arena;
        private readonly int[] _recipientOffset;
        private readonly int[] _recipientLength;
        private readonly int[] _orcptOffset;
        private readonly int[] _orcptLength;
        private readonly int[] _notify;
        private int _used;

        public Envelope(int arenaBytes, int maxRecipients)
        {
            _arena = new byte[arenaBytes];
            _recipientOffset = new int[maxRecipients];
            _recipientLength = new int[maxRecipients];
            _orcptOffset = new int[maxRecipients];
            _orcptLength = new int[maxRecipients];
            _notify = new int[maxRecipients];
            Clear();
        }

        public byte[] Arena
        {
            get { return _arena; }
        }

        public int MaxRecipients
        {
            get { return _notify.Length; }
        }

        /// <summary>False until MAIL has been accepted (RFC 5321 §4.1.4 order).</summary>
        public bool HasReversePath { get; private set; }

        public int ReversePathOffset { get; private set; }

        /// <summary>0 for the null reverse-path "&lt;&gt;" (RFC 5321 §4.5.5).</summary>
        public int ReversePathLength { get; private set; }

        public BodyType Body { get; set; }

        public bool SmtpUtf8 { get; set; }

        public DsnReturn Ret { get; set; }

        /// <summary>The SIZE the client declared (RFC 1870), or -1.</summary>
        public long DeclaredSize { get; set; }

        public int EnvIdOffset { get; private set; }

        /// <summary>RFC 3461 §4.4 ENVID, still xtext-encoded; 0 when absent.</summary>
        public int EnvIdLength { get; private set; }

        public int AuthOffset { get; private set; }

        /// <summary>RFC 4954 §5 AUTH= mailbox, still xtext-encoded; 0 when absent or not trusted ("&lt;&gt;").</summary>
        public int AuthLength { get; private set; }

        public int RecipientCount { get; private set; }

        /// <summary>Forgets the transaction (RSET, a new MAIL, or after the final dot).</summary>
        public void Clear()
        {
            _used = 0;
            HasReversePath = false;
            ReversePathOffset = 0;
            ReversePathLength = 0;
            Body = BodyType.Unspecified;
            SmtpUtf8 = false;
            Ret = DsnReturn.Unspecified;
            DeclaredSize = -1;
            EnvIdOffset = 0;
            EnvIdLength = 0;
            AuthOffset = 0;
            AuthLength = 0;
            RecipientCount = 0;
        }

        /// <summary>Sets the reverse-path (length 0 for the null path); false when the arena is full.</summary>
        public bool SetReversePath(byte[] source, int offset, int count)
        {
            int at = Store(source, offset, count);
            if (at < 0)
            {
                return false;
            }

            ReversePathOffset = at;
            ReversePathLength = count;
            HasReversePath = true;
            return true;
        }

        public bool SetEnvId(byte[] source, int offset, int count)
        {
            int at = Store(source, offset, count);
            if (at < 0)
            {
                return false;
            }

            EnvIdOffset = at;
            EnvIdLength = count;
            return true;
        }

        public bool SetAuth(byte[] source, int offset, int count)
        {
            int at = Store(source, offset, count);
            if (at < 0)
            {
                return false;
            }

            AuthOffset = at;
            AuthLength = count;
            return true;
        }

        /// <summary>
        /// Adds a forward-path with its NOTIFY flags and ORCPT (RFC 3461 §4.2, "addr-type;xtext", count 0 when absent).
        /// Returns false when the recipient table or the arena is full.
        /// </summary>
        public bool AddRecipient(byte[] source, int offset, int count, int notify, byte[] orcpt, int orcptOffset, int orcptCount)
        {
            if (RecipientCount == _notify.Length || _used + count + orcptCount > _arena.Length)
            {
                return false;
            }

            int i = RecipientCount;
            _recipientOffset[i] = Store(source, offset, count);
            _recipientLength[i] = count;
            _orcptOffset[i] = Store(orcpt, orcptOffset, orcptCount);
            _orcptLength[i] = orcptCount;
            _notify[i] = notify;
            RecipientCount++;
            return true;
        }

        public int RecipientOffset(int index)
        {
            return _recipientOffset[index];
        }

        public int RecipientLength(int index)
        {
            return _recipientLength[index];
        }

        public int RecipientNotify(int index)
        {
            return _notify[index];
        }

        public int OrcptOffset(int index)
        {
            return _orcptOffset[index];
        }

        public int OrcptLength(int index)
        {
            return _orcptLength[index];
        }

        /// <summary>The reverse-path as text (allocates: for logs and delivery, not for parsing).</summary>
        public string ReversePath()
        {
            return Utf8.GetString(_arena, ReversePathOffset, ReversePathLength);
        }

        public string Recipient(int index)
        {
            return Utf8.GetString(_arena, _recipientOffset[index], _recipientLength[index]);
        }

        private int Store(byte[] source, int offset, int count)
        {
            if (_used + count > _arena.Length)
            {
                return -1;
            }

            int at = _used;
            if (count > 0)
            {
                System.Array.Copy(source, offset, _arena, at, count);
            }

            _used += count;
            return at;
        }
    }
}

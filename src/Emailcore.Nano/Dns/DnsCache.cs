using System.Threading;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Dns
{
    /// <summary>
    /// Lookup results by name and type in a fixed arena: dns_cache_entries slots of
    /// dns_cache_bytes / dns_cache_entries octets each, allocated once. A result that does not fit a slot is
    /// not kept; when all slots are live the one closest to expiry gives way. Memory never grows.
    /// Safe for several threads: the server's session slots share one, each with a resolver of its own. The arena is
    /// the lock (private, and a lock object of its own would be one more heap block on a board).
    /// </summary>
    public sealed class DnsCache
    {
        private readonly IClock _clock;
        private readonly int _slotSize;
        private readonly byte[] _arena;
        private readonly int[] _type;
        private readonly long[] _expires;
        private readonly int[] _nameLength;
        private readonly int[] _dataLength;
        private readonly LookupStatus[] _status;

        public DnsCache(int entries, int bytes, IClock clock)
        {
            _clock = clock;
            Entries = entries < 0 ? 0 : entries;
            _slotSize = Entries == 0 ? 0 : bytes / Entries;
            _arena = new byte[Entries * _slotSize];
            _type = new int[Entries];
            _expires = new long[Entries];
            _nameLength = new int[Entries];
            _dataLength = new int[Entries];
            _status = new LookupStatus[Entries];
        }

        public int Entries { get; }

        /// <summary>
        /// Octets the cache holds per entry: its slot plus type, expiry, two lengths and status
        /// (4 + 8 + 4 + 4 + 4).
        /// </summary>
        public int BytesPerEntry
        {
            get { return _slotSize + 24; }
        }

        /// <summary>Fills <paramref name="into"/> with a live entry for the name and type; its TTL becomes the seconds left.</summary>
        public bool TryGet(DnsName name, int type, RecordSet into)
        {
            Monitor.Enter(_arena);
            try
            {
                long now = _clock.MonotonicMilliseconds;
                int slot = Find(name, type);
                if (slot < 0 || _expires[slot] <= now)
                {
                    return false;
                }

                int start = slot * _slotSize;
                into.Load(type, _status[slot], _arena, start + _nameLength[slot], _dataLength[slot]);
                into.Ttl = (int)((_expires[slot] - now + 999) / 1000);
                return true;
            }
            finally
            {
                Monitor.Exit(_arena);
            }
        }

        /// <summary>Keeps a Found, NoData or NameError result for its TTL; failures and TTL 0 are never kept.</summary>
        public void Put(DnsName name, int type, RecordSet set)
        {
            if (Entries == 0 || set.Status == LookupStatus.Failed || set.Ttl <= 0 || name.Length + set.Length > _slotSize)
            {
                return;
            }

            Monitor.Enter(_arena);
            try
            {
                long now = _clock.MonotonicMilliseconds;
                int slot = Find(name, type);
                if (slot < 0)
                {
                    slot = 0;
                    for (int i = 1; i < Entries && _expires[slot] > now; i++)
                    {
                        if (_expires[i] < _expires[slot])
                        {
                            slot = i;
                        }
                    }
                }

                int start = slot * _slotSize;
                name.CopyTo(_arena, start);
                System.Array.Copy(set.Data, 0, _arena, start + name.Length, set.Length);
                _type[slot] = type;
                _nameLength[slot] = name.Length;
                _dataLength[slot] = set.Length;
                _status[slot] = set.Status;
                _expires[slot] = now + (long)set.Ttl * 1000;
            }
            finally
            {
                Monitor.Exit(_arena);
            }
        }

        private int Find(DnsName name, int type)
        {
            for (int i = 0; i < Entries; i++)
            {
                if (_type[i] == type && _expires[i] != 0 && name.Matches(_arena, i * _slotSize, _nameLength[i]))
                {
                    return i;
                }
            }

            return -1;
        }
    }
}

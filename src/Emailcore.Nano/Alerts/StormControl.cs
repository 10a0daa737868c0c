namespace Emailcore.Nano.Alerts
{
    /// <summary>Storm control's answer for one alert.</summary>
    public enum StormVerdict
    {
        Send = 0,

        /// <summary>Equal to the last alert of its key, sent within the dedupe window.</summary>
        Duplicate = 1,

        /// <summary>The key's token bucket is empty.</summary>
        RateLimited = 2,
    }

    /// <summary>
    /// Per-key storm control in a fixed table allocated once: a token bucket (<c>limit</c> alerts, refilled one every
    /// <c>window / limit</c>) and a dedupe window per key, a count of what was held back and since when, and whether
    /// the recipients were last told of a problem (so the way back to normal always goes out). Times are milliseconds
    /// on one clock that never jumps: the board's monotonic clock, valid before SNTP.
    /// <para>A key's slot is found by a hash of the key (no strings kept). A key not in the table takes a free slot or
    /// one whose state is the same as a fresh slot's (bucket full, nothing held back, no problem told, dedupe window
    /// over), so forgetting it loses nothing; when every slot is busy the key shares one extra slot with the other
    /// newcomers. Nothing here grows.</para>
    /// </summary>
    public sealed class StormControl
    {
        private const long Never = long.MinValue;

        // Key, flags, credit, updated, last sent, last content, suppressed, since, last use.
        private const int SlotBytes = 4 + 1 + 8 + 8 + 8 + 4 + 4 + 8 + 8;

        private readonly int _limit;
        private readonly long _window;
        private readonly long _interval;
        private readonly long _dedupe;
        private readonly int[] _key;
        private readonly bool[] _used;
        private readonly long[] _credit;
        private readonly long[] _updated;
        private readonly long[] _lastSent;
        private readonly int[] _lastContent;
        private readonly bool[] _problemTold;
        private readonly int[] _suppressed;
        private readonly long[] _suppressedSince;
        private readonly long[] _lastUse;

        /// <param name="keys">Keys with a slot of their own; one more slot is shared by the keys beyond them.</param>
        /// <param name="limit">Alerts per window per key (the bucket's size); 0 lets only state changes through.</param>
        public StormControl(int keys, int limit, long windowMilliseconds, long dedupeMilliseconds)
        {
            int slots = (keys < 0 ? 0 : keys) + 1;
            _limit = limit;
            _window = windowMilliseconds < 1 ? 1 : windowMilliseconds;
            _interval = limit > 0 ? _window / limit : _window;
            _dedupe = dedupeMilliseconds;
            _key = new int[slots];
            _used = new bool[slots];
            _credit = new long[slots];
            _updated = new long[slots];
            _lastSent = new long[slots];
            _lastContent = new int[slots];
            _problemTold = new bool[slots];
            _suppressed = new int[slots];
            _suppressedSince = new long[slots];
            _lastUse = new long[slots];
            for (int i = 0; i < slots; i++)
            {
                _lastSent[i] = Never;
            }
        }

        /// <summary>The slot every key shares once the table is busy.</summary>
        public int SharedSlot
        {
            get { return _key.Length - 1; }
        }

        /// <summary>The key's slot at <paramref name="now"/>: its own, a free or forgettable one, or the shared one.</summary>
        public int Slot(string key, long now)
        {
            int hash = Hash(key);
            int pick = -1;
            for (int i = 0; i < SharedSlot; i++)
            {
                if (_used[i] && _key[i] == hash)
                {
                    _lastUse[i] = now;
                    return i;
                }

                if (!_used[i])
                {
                    pick = pick >= 0 && !_used[pick] ? pick : i;
                }
                else if ((pick < 0 || (_used[pick] && _lastUse[i] < _lastUse[pick])) && IsFresh(i, now))
                {
                    pick = i;
                }
            }

            if (pick < 0)
            {
                pick = SharedSlot;
                if (_used[pick])
                {
                    Refill(pick, now);
                    _lastUse[pick] = now;
                    return pick;
                }
            }

            _used[pick] = true;
            _key[pick] = hash;
            _credit[pick] = _window;
            _updated[pick] = now;
            _lastSent[pick] = Never;
            _lastContent[pick] = 0;
            _problemTold[pick] = false;
            _suppressed[pick] = 0;
            _suppressedSince[pick] = 0;
            _lastUse[pick] = now;
            return pick;
        }

        /// <summary>Whether an alert with this content hash and state may go out now; changes nothing.</summary>
        public StormVerdict Judge(int slot, int content, AlertState state, long now)
        {
            Refill(slot, now);

            // A state change is news the recipients need, whatever the bucket says.
            if (state == AlertState.Normal && _problemTold[slot])
            {
                return StormVerdict.Send;
            }

            if (_lastSent[slot] != Never && content == _lastContent[slot] && now - _lastSent[slot] < _dedupe)
            {
                return StormVerdict.Duplicate;
            }

            return _limit > 0 && _credit[slot] >= _interval ? StormVerdict.Send : StormVerdict.RateLimited;
        }

        /// <summary>Records an alert that was queued: it takes a token and clears the count of suppressed ones.</summary>
        public void Sent(int slot, int content, AlertState state, long now)
        {
            Refill(slot, now);
            _credit[slot] = _credit[slot] > _interval ? _credit[slot] - _interval : 0;
            _lastSent[slot] = now;
            _lastContent[slot] = content;
            _problemTold[slot] = state == AlertState.Problem;
            _suppressed[slot] = 0;
        }

        /// <summary>Counts one alert held back.</summary>
        public void Suppressed(int slot, long now)
        {
            if (_suppressed[slot] == 0)
            {
                _suppressedSince[slot] = now;
            }

            if (_suppressed[slot] < int.MaxValue)
            {
                _suppressed[slot]++;
            }
        }

        /// <summary>Alerts held back since the last one of this slot went out.</summary>
        public int SuppressedCount(int slot)
        {
            return _suppressed[slot];
        }

        /// <summary>When the first of them was raised (only meaningful while <see cref="SuppressedCount"/> is above 0).</summary>
        public long SuppressedSince(int slot)
        {
            return _suppressedSince[slot];
        }

        /// <summary>Bytes <see cref="Save"/> writes: a fixed size for a given table.</summary>
        public int StateBytes
        {
            get { return _key.Length * SlotBytes; }
        }

        /// <summary>
        /// Writes the whole table (little-endian, <see cref="StateBytes"/> long), for a process that keeps storm
        /// control across runs (`emailcore send --key`); its times must then come from a clock that survives runs.
        /// </summary>
        public void Save(byte[] into)
        {
            for (int i = 0, p = 0; i < _key.Length; i++)
            {
                p = Put(into, p, _key[i], 4);
                into[p++] = (byte)((_used[i] ? 1 : 0) | (_problemTold[i] ? 2 : 0));
                p = Put(into, p, _credit[i], 8);
                p = Put(into, p, _updated[i], 8);
                p = Put(into, p, _lastSent[i], 8);
                p = Put(into, p, _lastContent[i], 4);
                p = Put(into, p, _suppressed[i], 4);
                p = Put(into, p, _suppressedSince[i], 8);
                p = Put(into, p, _lastUse[i], 8);
            }
        }

        /// <summary>Reads what <see cref="Save"/> wrote; false (and the table left fresh) when the size does not match.</summary>
        public bool Load(byte[] from, int length)
        {
            if (length != StateBytes)
            {
                return false;
            }

            for (int i = 0, p = 0; i < _key.Length; i++, p += SlotBytes)
            {
                _key[i] = (int)Get(from, p, 4);
                _used[i] = (from[p + 4] & 1) != 0;
                _problemTold[i] = (from[p + 4] & 2) != 0;
                _credit[i] = Get(from, p + 5, 8);
                _updated[i] = Get(from, p + 13, 8);
                _lastSent[i] = Get(from, p + 21, 8);
                _lastContent[i] = (int)Get(from, p + 29, 4);
                _suppressed[i] = (int)Get(from, p + 33, 4);
                _suppressedSince[i] = Get(from, p + 37, 8);
                _lastUse[i] = Get(from, p + 45, 8);
            }

            return true;
        }

        /// <summary>FNV-1a over the UTF-16 code units: cheap, allocation-free, and spread well enough for a few dozen keys.</summary>
        public static int Hash(string text)
        {
            uint hash = 2166136261;
            for (int i = 0; text != null && i < text.Length; i++)
            {
                hash = (hash ^ text[i]) * 16777619;
            }

            return (int)hash;
        }

        private static int Put(byte[] into, int p, long value, int size)
        {
            for (int k = 0; k < size; k++)
            {
                into[p + k] = (byte)(value >> (8 * k));
            }

            return p + size;
        }

        private static long Get(byte[] from, int p, int size)
        {
            long value = 0;
            for (int k = size - 1; k >= 0; k--)
            {
                value = (value << 8) | from[p + k];
            }

            return size == 4 ? (int)value : value;
        }

        private void Refill(int slot, long now)
        {
            long elapsed = now - _updated[slot];
            if (elapsed > 0)
            {
                _credit[slot] = _window - _credit[slot] < elapsed ? _window : _credit[slot] + elapsed;
                _updated[slot] = now;
            }
        }

        /// <summary>Whether the slot is in the state a new key's slot starts in, so reusing it forgets nothing.</summary>
        private bool IsFresh(int slot, long now)
        {
            Refill(slot, now);
            return _credit[slot] == _window && _suppressed[slot] == 0 && !_problemTold[slot]
                && (_lastSent[slot] == Never || now - _lastSent[slot] >= _dedupe);
        }
    }
}

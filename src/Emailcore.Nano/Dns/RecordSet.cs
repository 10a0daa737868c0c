using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Dns
{
    /// <summary>What a lookup found.</summary>
    public enum LookupStatus
    {
        /// <summary>Records of the type asked for.</summary>
        Found,

        /// <summary>RFC 2308 §2.2 NODATA: the name exists without records of this type.</summary>
        NoData,

        /// <summary>RFC 2308 §2.1 NXDOMAIN: the name does not exist.</summary>
        NameError,

        /// <summary>No server answered usefully (timeout, SERVFAIL, malformed answer): try later.</summary>
        Failed,
    }

    /// <summary>
    /// The result of one lookup in a compact form that is also the cache's: A as 4 octets, AAAA as 16, MX as
    /// preference (2), name length (1) and lower-case name, PTR as an MX of preference 0 (read with
    /// <see cref="CopyExchange"/>). Fixed capacity; records past it are dropped.
    /// </summary>
    public sealed class RecordSet
    {
        public const int MaxRecords = 32;
        public const int Capacity = 512;

        private readonly byte[] _data = new byte[Capacity];
        private readonly int[] _offsets = new int[MaxRecords];

        public int Type { get; private set; }

        public LookupStatus Status { get; set; }

        /// <summary>Seconds the result may be kept (already within the cache's floor and ceiling).</summary>
        public int Ttl { get; set; }

        /// <summary>Why a lookup failed or found nothing, for logs and DSNs.</summary>
        public string Error { get; set; }

        public int Count { get; private set; }

        /// <summary>Octets of <see cref="Data"/> in use.</summary>
        public int Length { get; private set; }

        public byte[] Data
        {
            get { return _data; }
        }

        public void Clear(int type)
        {
            Type = type;
            Count = 0;
            Length = 0;
            Ttl = 0;
            Error = null;
            Status = LookupStatus.NoData;
        }

        /// <summary>Adds the address at <paramref name="offset"/> (4 octets for A, 16 for AAAA); false when full.</summary>
        public bool AddAddress(byte[] source, int offset)
        {
            int size = Type == RecordType.A ? 4 : 16;
            if (!Room(size))
            {
                return false;
            }

            System.Array.Copy(source, offset, _data, Length, size);
            Append(size);
            return true;
        }

        /// <summary>
        /// Adds an MX record. When the set is full, the record with the highest preference value gives way to a
        /// better one, so that a long answer still keeps the hosts RFC 5321 §5.1 tries first. False when it is dropped.
        /// </summary>
        public bool AddMx(int preference, DnsName exchange)
        {
            while (!Room(3 + exchange.Length))
            {
                int worst = -1;
                for (int i = 0; i < Count; i++)
                {
                    if (Preference(i) > preference && (worst < 0 || Preference(i) > Preference(worst)))
                    {
                        worst = i;
                    }
                }

                if (worst < 0)
                {
                    return false;
                }

                RemoveAt(worst);
            }

            DnsMessage.WriteShort(_data, Length, preference);
            _data[Length + 2] = (byte)exchange.Length;
            exchange.CopyTo(_data, Length + 3);
            Append(3 + exchange.Length);
            return true;
        }

        public int Preference(int index)
        {
            return DnsMessage.ReadShort(_data, _offsets[index]);
        }

        public void CopyExchange(int index, DnsName into)
        {
            int p = _offsets[index];
            into.SetBytes(_data, p + 3, _data[p + 2]);
        }

        public void CopyAddress(int index, Endpoint into)
        {
            into.SetAddress(_data, _offsets[index], Type == RecordType.A ? 4 : 16);
        }

        /// <summary>Refills the set from octets <see cref="Data"/> once held (a cache slot).</summary>
        public void Load(int type, LookupStatus status, byte[] source, int offset, int length)
        {
            Clear(type);
            Status = status;
            System.Array.Copy(source, offset, _data, 0, length);
            int p = 0;
            while (p < length)
            {
                _offsets[Count++] = p;
                p += type == RecordType.A ? 4 : (type == RecordType.Aaaa ? 16 : 3 + _data[p + 2]);
            }

            Length = length;
        }

        private void RemoveAt(int index)
        {
            int start = _offsets[index];
            int end = index + 1 < Count ? _offsets[index + 1] : Length;
            System.Array.Copy(_data, end, _data, start, Length - end);
            for (int i = index; i + 1 < Count; i++)
            {
                _offsets[i] = _offsets[i + 1] - (end - start);
            }

            Count--;
            Length -= end - start;
        }

        private bool Room(int size)
        {
            return Count < MaxRecords && Length + size <= Capacity;
        }

        private void Append(int size)
        {
            _offsets[Count++] = Length;
            Length += size;
        }
    }
}

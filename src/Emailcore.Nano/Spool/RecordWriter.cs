using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Spool
{
    /// <summary>
    /// Streams one record into a segment through a page-sized buffer: every Append but a record's last is a full
    /// page, and a chunk record sized to the page is exactly one Append. The CRC-32 trailer is computed on the way.
    /// </summary>
    internal sealed class RecordWriter
    {
        private readonly byte[] _page;
        private IStoreFile _file;
        private int _used;
        private uint _crc;

        public RecordWriter(int pageSize)
        {
            _page = new byte[pageSize];
        }

        public void Begin(IStoreFile file, int type, int payloadLength, uint sequence, long id)
        {
            _file = file;
            _crc = Crc32.Initial;
            Record.WriteHeader(_page, 0, type, payloadLength, sequence, id);
            _used = Record.HeaderSize;
        }

        public void Put(byte[] buffer, int offset, int count)
        {
            while (count > 0)
            {
                if (_used == _page.Length)
                {
                    FlushPage();
                }

                int n = _page.Length - _used < count ? _page.Length - _used : count;
                System.Array.Copy(buffer, offset, _page, _used, n);
                _used += n;
                offset += n;
                count -= n;
            }
        }

        public void PutU8(int value)
        {
            Reserve(1);
            _page[_used++] = (byte)value;
        }

        public void PutU16(int value)
        {
            Reserve(2);
            Record.PutU16(_page, _used, value);
            _used += 2;
        }

        public void PutU32(uint value)
        {
            Reserve(4);
            Record.PutU32(_page, _used, value);
            _used += 4;
        }

        public void PutI64(long value)
        {
            Reserve(8);
            Record.PutI64(_page, _used, value);
            _used += 8;
        }

        /// <summary>Appends the CRC trailer and the buffered rest of the record.</summary>
        public void End()
        {
            Reserve(Record.TrailerSize);
            _crc = Crc32.Update(_crc, _page, 0, _used);
            Record.PutU32(_page, _used, Crc32.Final(_crc));
            _used += Record.TrailerSize;
            _file.Append(_page, 0, _used);
            _used = 0;
            _file = null;
        }

        private void Reserve(int count)
        {
            if (_page.Length - _used < count)
            {
                FlushPage();
            }
        }

        private void FlushPage()
        {
            _crc = Crc32.Update(_crc, _page, 0, _used);
            _file.Append(_page, 0, _used);
            _used = 0;
        }
    }
}

using System;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Spool
{
    /// <summary>
    /// The persisted queue-id counter (docs/spool-format.md, "Queue ids"): ids are reserved in blocks, and a block's
    /// end is synced to the store before any id in it is used, so no restart, emptied spool or power cut ever hands
    /// out an id twice. Two files take turns, each an append-only run of "ids below this are taken" records; the
    /// highest valid value wins. A file is appended to only while every byte of it is valid and it holds less than a
    /// page; otherwise the next reservation starts the other file and then deletes this one.
    /// </summary>
    public sealed class QueueIdCounter
    {
        /// <summary>Ids per reservation: one sync per this many messages; a restart skips what is left of a block.</summary>
        public const int Block = 16;

        private const int Payload = 4;
        private const int Size = Record.Overhead + Payload;
        private const string Name0 = "QUEUEID0.SPL";
        private const string Name1 = "QUEUEID1.SPL";

        private readonly IFileStore _store;
        private readonly ILog _log;
        private readonly int _fileLimit;
        private readonly byte[] _record = new byte[Size];
        private readonly bool[] _exists = new bool[2];
        private int _current = -1;
        private long _currentLength;
        private bool _appendable;

        public QueueIdCounter(IFileStore store, ILog log, int pageSize)
        {
            _store = store;
            _log = log;
            _fileLimit = pageSize;
        }

        public static bool Owns(string name)
        {
            return name == Name0 || name == Name1;
        }

        /// <summary>Reads both files; returns the first id never reserved (0 when there is no counter yet).</summary>
        public long Load(string[] names)
        {
            long best = 0;
            for (int i = 0; i < names.Length; i++)
            {
                int which = names[i] == Name0 ? 0 : names[i] == Name1 ? 1 : -1;
                if (which < 0)
                {
                    continue;
                }

                _exists[which] = true;
                long length;
                bool whole;
                long value = Read(names[i], out length, out whole);
                if (_current < 0 || value > best)
                {
                    best = value;
                    _current = which;
                    _currentLength = length;
                    _appendable = whole;
                }
            }

            return best;
        }

        /// <summary>Makes <paramref name="limit"/> durable as the first id not yet taken; throws <see cref="StoreException"/> when the store fails.</summary>
        public void Reserve(long limit)
        {
            Record.WriteHeader(_record, 0, Record.IdsReserved, Payload, 0, 0);
            Record.PutU32(_record, Record.HeaderSize, (uint)limit);
            Record.PutU32(_record, Record.HeaderSize + Payload, Crc32.Compute(_record, 0, Record.HeaderSize + Payload));
            if (_current >= 0 && _appendable && _currentLength + Size <= _fileLimit)
            {
                // Unknown what reached the file if this fails: the next reservation starts the other one.
                _appendable = false;
                Write(_store.Open(NameOf(_current)));
                _currentLength += Size;
                _appendable = true;
                return;
            }

            int next = _current == 0 ? 1 : 0;
            if (_exists[next])
            {
                _store.Delete(NameOf(next));
                _exists[next] = false;
            }

            IStoreFile file = _store.Create(NameOf(next));
            _exists[next] = true;
            Write(file);
            if (_current >= 0)
            {
                // The new file is durable first, so a cut between the two steps leaves the higher value readable.
                _store.Delete(NameOf(_current));
                _exists[_current] = false;
            }

            _current = next;
            _currentLength = Size;
            _appendable = true;
        }

        private void Write(IStoreFile file)
        {
            try
            {
                file.Append(_record, 0, Size);
                file.Sync();
            }
            finally
            {
                file.Close();
            }
        }

        /// <summary>The highest value among the file's valid records; whole says whether every byte was valid.</summary>
        private long Read(string name, out long length, out bool whole)
        {
            long best = 0;
            long position = 0;
            length = 0;
            IStoreFile file;
            try
            {
                file = _store.Open(name);
            }
            catch (StoreException e)
            {
                whole = false;
                _log.Write(LogLevel.Error, "spool: " + name + ": " + e.Message);
                return 0;
            }

            try
            {
                length = file.Length;
                while (position + Size <= length && file.Read(position, _record, 0, Size) == Size && IsValid())
                {
                    long value = Record.GetU32(_record, Record.HeaderSize);
                    best = value > best ? value : best;
                    position += Size;
                }
            }
            finally
            {
                file.Close();
            }

            whole = position == length;
            if (!whole)
            {
                _log.Write(LogLevel.Info, "spool: " + name + ": ignoring " + (length - position).ToString() + " bytes from offset " + position.ToString() + " (an interrupted write or damage)");
            }

            return best;
        }

        private bool IsValid()
        {
            return _record[0] == Record.Magic0 && _record[1] == Record.Magic1 && _record[2] == Record.IdsReserved && _record[3] == 0
                && Record.GetU32(_record, 4) == Payload && Record.GetU32(_record, Record.HeaderSize + Payload) == Crc32.Compute(_record, 0, Record.HeaderSize + Payload);
        }

        private static string NameOf(int which)
        {
            return which == 0 ? Name0 : Name1;
        }
    }
}

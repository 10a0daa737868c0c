#nullable disable
using System;
using System.Collections;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>Thrown by <see cref="FlashStore"/> when the simulated power fails; the spool must not catch it.</summary>
    public sealed class PowerCutException : Exception
    {
        public PowerCutException() : base("power cut")
        {
        }
    }

    /// <summary>
    /// An in-memory flash for the spool's tests, mscorlib only (it runs on the interpreter too). Appends land in a
    /// cache; Sync makes a file's bytes and its existence durable; Delete is durable at once. <see cref="CutAt"/>
    /// fails the power at one byte of one Append (that write is torn there); <see cref="PowerCycle"/> then models
    /// the reboot: every file keeps its synced bytes plus a random prefix of the unsynced ones (a file never synced
    /// may vanish), and optionally the surviving unsynced bytes of the last, half-programmed page turn to garbage.
    /// Synced bytes are never damaged: NOR flash programs the rest of a page without touching what is there, and
    /// LittleFS copies on write. It counts what the wear figures need: bytes appended, syncs, and flash bytes
    /// programmed when every sync programs the dirty pages whole. File bytes live in blocks of
    /// <see cref="BlockSize"/>, so on the interpreter their heap cost is <see cref="Blocks"/> such arrays.
    /// </summary>
    public sealed class FlashStore : IFileStore
    {
        public const int BlockSize = 256;

        private readonly ArrayList _files = new ArrayList();
        private readonly int _pageSize;
        private long _capacity;

        public FlashStore(int pageSize = 256, long capacity = long.MaxValue / 4)
        {
            _pageSize = pageSize;
            _capacity = capacity;
            CutAt = long.MaxValue;
            AppendsBeforeOutOfMemory = -1;
        }

        /// <summary>Fault injection: after this many more appends the next one throws OutOfMemoryException, as a board's file write does when the heap is gone; -1: never.</summary>
        public int AppendsBeforeOutOfMemory { get; set; }

        /// <summary>The appended byte count at which the power fails; long.MaxValue: never.</summary>
        public long CutAt { get; set; }

        public bool Dead { get; private set; }

        public long BytesAppended { get; private set; }

        public long Syncs { get; private set; }

        public long BytesProgrammed { get; private set; }

        public long FreeBytes
        {
            get { return _capacity - Used(); }
        }

        public long Capacity
        {
            set { _capacity = value; }
        }

        /// <summary>The byte blocks holding all files' data (their heap cost on the interpreter).</summary>
        public int Blocks
        {
            get
            {
                int blocks = 0;
                for (int i = 0; i < _files.Count; i++)
                {
                    blocks += ((FlashFile)_files[i]).Data.BlockCount;
                }

                return blocks;
            }
        }

        public string[] Names
        {
            get
            {
                var names = new string[_files.Count];
                for (int i = 0; i < names.Length; i++)
                {
                    names[i] = ((FlashFile)_files[i]).Name;
                }

                return names;
            }
        }

        public IStoreFile Create(string name)
        {
            Alive();
            if (Find(name) != null)
            {
                throw new StoreException(name + " exists");
            }

            var file = new FlashFile(name);
            _files.Add(file);
            return new Handle(this, file);
        }

        public IStoreFile Open(string name)
        {
            Alive();
            FlashFile file = Find(name);
            if (file == null)
            {
                throw new StoreException(name + " does not exist");
            }

            return new Handle(this, file);
        }

        public void Delete(string name)
        {
            Alive();
            FlashFile file = Find(name);
            if (file != null)
            {
                _files.Remove(file);
                file.Deleted = true;
            }
        }

        public string[] List()
        {
            Alive();
            return Names;
        }

        /// <summary>A copy of a file's bytes as they stand.</summary>
        public byte[] Bytes(string name)
        {
            return Find(name).Data.ToArray();
        }

        /// <summary>Changes one byte in place (for tests that damage records on purpose).</summary>
        public void Poke(string name, int index, byte value)
        {
            Find(name).Data.Set(index, value);
        }

        /// <summary>Writes a file and makes it durable, as if an older program had left it.</summary>
        public void Put(string name, byte[] content)
        {
            FlashFile old = Find(name);
            if (old != null)
            {
                _files.Remove(old);
            }

            var file = new FlashFile(name);
            file.Durable = true;
            file.Data.Append(content, 0, content.Length);
            file.Synced = content.Length;
            _files.Add(file);
        }

        /// <summary>The reboot after a power cut (or a clean stop when nothing is unsynced).</summary>
        public void PowerCycle(Random random, bool corruptTornPage)
        {
            object[] files = _files.ToArray();
            for (int f = 0; f < files.Length; f++)
            {
                var file = (FlashFile)files[f];
                if (!file.Durable && random.Next(2) == 0)
                {
                    _files.Remove(file);
                    continue;
                }

                int keep = file.Synced + random.Next(file.Data.Length - file.Synced + 1);
                file.Data.Truncate(keep);
                if (corruptTornPage && keep > file.Synced)
                {
                    int pageStart = Numbers.Max(file.Synced, (keep - 1) / _pageSize * _pageSize);
                    for (int i = pageStart; i < keep; i++)
                    {
                        file.Data.Set(i, (byte)random.Next(256));
                    }
                }

                file.Synced = file.Data.Length;
                file.Durable = true;
                file.Programmed = file.Data.Length;
            }

            CutAt = long.MaxValue;
            Dead = false;
        }

        private FlashFile Find(string name)
        {
            for (int i = 0; i < _files.Count; i++)
            {
                var file = (FlashFile)_files[i];
                if (file.Name == name)
                {
                    return file;
                }
            }

            return null;
        }

        private long Used()
        {
            long used = 0;
            for (int i = 0; i < _files.Count; i++)
            {
                used += ((FlashFile)_files[i]).Data.Length;
            }

            return used;
        }

        private void Alive()
        {
            if (Dead)
            {
                throw new PowerCutException();
            }
        }

        /// <summary>A file's bytes in fixed blocks, so growth never copies and the heap cost is predictable.</summary>
        private sealed class BlockBytes
        {
            private readonly ArrayList _blocks = new ArrayList();

            public int Length { get; private set; }

            public int BlockCount
            {
                get { return _blocks.Count; }
            }

            public void Append(byte[] buffer, int offset, int count)
            {
                while (count > 0)
                {
                    int within = Length % BlockSize;
                    if (within == 0 && Length / BlockSize == _blocks.Count)
                    {
                        _blocks.Add(new byte[BlockSize]);
                    }

                    int n = Numbers.Min(count, BlockSize - within);
                    Array.Copy(buffer, offset, (byte[])_blocks[Length / BlockSize], within, n);
                    Length += n;
                    offset += n;
                    count -= n;
                }
            }

            public int CopyTo(int position, byte[] buffer, int offset, int count)
            {
                int n = Numbers.Max(0, Numbers.Min(count, Length - position));
                for (int done = 0; done < n;)
                {
                    int at = position + done;
                    int piece = Numbers.Min(n - done, BlockSize - (at % BlockSize));
                    Array.Copy((byte[])_blocks[at / BlockSize], at % BlockSize, buffer, offset + done, piece);
                    done += piece;
                }

                return n;
            }

            public void Set(int index, byte value)
            {
                ((byte[])_blocks[index / BlockSize])[index % BlockSize] = value;
            }

            public void Truncate(int length)
            {
                Length = length;
                int blocks = (length + BlockSize - 1) / BlockSize;
                while (_blocks.Count > blocks)
                {
                    _blocks.RemoveAt(_blocks.Count - 1);
                }
            }

            public byte[] ToArray()
            {
                var copy = new byte[Length];
                CopyTo(0, copy, 0, Length);
                return copy;
            }
        }

        private sealed class FlashFile
        {
            public FlashFile(string name)
            {
                Name = name;
                Data = new BlockBytes();
            }

            public string Name;
            public BlockBytes Data;
            public int Synced;
            public int Programmed;
            public bool Durable;
            public bool Deleted;
        }

        private sealed class Handle : IStoreFile
        {
            private readonly FlashStore _store;
            private readonly FlashFile _file;
            private bool _closed;

            public Handle(FlashStore store, FlashFile file)
            {
                _store = store;
                _file = file;
            }

            public long Length
            {
                get
                {
                    Usable();
                    return _file.Data.Length;
                }
            }

            public void Append(byte[] buffer, int offset, int count)
            {
                Usable();
                if (_store.AppendsBeforeOutOfMemory >= 0 && _store.AppendsBeforeOutOfMemory-- == 0)
                {
                    throw new OutOfMemoryException();
                }

                if (_store.FreeBytes < count)
                {
                    throw new StoreException("flash full");
                }

                long room = _store.CutAt - _store.BytesAppended;
                int n = (int)Numbers.Min(count, Numbers.Max(0, room));
                _file.Data.Append(buffer, offset, n);
                _store.BytesAppended += n;
                if (n < count)
                {
                    _store.Dead = true;
                    throw new PowerCutException();
                }
            }

            public void Sync()
            {
                Usable();
                int page = _store._pageSize;
                int from = _file.Programmed / page * page;
                int to = (_file.Data.Length + page - 1) / page * page;
                _store.BytesProgrammed += Numbers.Max(0, to - from);
                _file.Programmed = _file.Data.Length;
                _file.Synced = _file.Data.Length;
                _file.Durable = true;
                _store.Syncs++;
            }

            public int Read(long position, byte[] buffer, int offset, int count)
            {
                Usable();
                return _file.Data.CopyTo((int)position, buffer, offset, count);
            }

            public void Close()
            {
                if (!_store.Dead)
                {
                    _closed = true;
                }
            }

            private void Usable()
            {
                _store.Alive();
                if (_closed || _file.Deleted)
                {
                    throw new StoreException(_file.Name + " is closed or deleted");
                }
            }
        }
    }
}

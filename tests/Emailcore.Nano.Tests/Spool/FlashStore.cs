using System;
using System.Collections.Generic;
using System.Linq;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Tests.Spool
{
    /// <summary>Thrown by <see cref="FlashStore"/> when the simulated power fails; the spool must not catch it.</summary>
    public sealed class PowerCutException : Exception
    {
        public PowerCutException() : base("power cut")
        {
        }
    }

    /// <summary>
    /// An in-memory flash for the spool's tests. Appends land in a cache; Sync makes a file's bytes and its
    /// existence durable; Delete is durable at once. <see cref="CutAt"/> fails the power at one byte of one
    /// Append (that write is torn there); <see cref="PowerCycle"/> then models the reboot: every file keeps its
    /// synced bytes plus a random prefix of the unsynced ones (a file never synced may vanish), and optionally the
    /// surviving unsynced bytes of the last, half-programmed page turn to garbage. Synced bytes are never damaged:
    /// NOR flash programs the rest of a page without touching what is there, and LittleFS copies on write.
    /// It also counts what the wear figures need: bytes appended, syncs, and flash bytes programmed when every
    /// sync programs the dirty pages whole.
    /// </summary>
    public sealed class FlashStore : IFileStore
    {
        private readonly Dictionary<string, FlashFile> _files = new(StringComparer.Ordinal);
        private readonly int _pageSize;
        private long _capacity;

        public FlashStore(int pageSize = 256, long capacity = long.MaxValue / 4)
        {
            _pageSize = pageSize;
            _capacity = capacity;
        }

        /// <summary>The appended byte count at which the power fails; long.MaxValue: never.</summary>
        public long CutAt { get; set; } = long.MaxValue;

        public bool Dead { get; private set; }

        public long BytesAppended { get; private set; }

        public long Syncs { get; private set; }

        public long BytesProgrammed { get; private set; }

        public long FreeBytes => _capacity - _files.Values.Sum(f => (long)f.Data.Count);

        public long Capacity
        {
            set => _capacity = value;
        }

        public IReadOnlyCollection<string> Names => _files.Keys;

        public IStoreFile Create(string name)
        {
            Alive();
            if (_files.ContainsKey(name))
            {
                throw new StoreException(name + " exists");
            }

            var file = new FlashFile(name);
            _files[name] = file;
            return new Handle(this, file);
        }

        public IStoreFile Open(string name)
        {
            Alive();
            if (!_files.TryGetValue(name, out FlashFile? file))
            {
                throw new StoreException(name + " does not exist");
            }

            return new Handle(this, file);
        }

        public void Delete(string name)
        {
            Alive();
            if (_files.Remove(name, out FlashFile? file))
            {
                file.Deleted = true;
            }
        }

        public string[] List()
        {
            Alive();
            return _files.Keys.ToArray();
        }

        /// <summary>Raw bytes of a file as they stand (for tests that damage records on purpose).</summary>
        public List<byte> Bytes(string name) => _files[name].Data;

        /// <summary>Writes a file and makes it durable, as if an older program had left it.</summary>
        public void Put(string name, byte[] content)
        {
            var file = new FlashFile(name) { Durable = true };
            file.Data.AddRange(content);
            file.Synced = content.Length;
            _files[name] = file;
        }

        /// <summary>The reboot after a power cut (or a clean stop when nothing is unsynced).</summary>
        public void PowerCycle(Random random, bool corruptTornPage)
        {
            foreach (FlashFile file in _files.Values.ToList())
            {
                if (!file.Durable && random.Next(2) == 0)
                {
                    _files.Remove(file.Name);
                    continue;
                }

                int keep = file.Synced + random.Next(file.Data.Count - file.Synced + 1);
                file.Data.RemoveRange(keep, file.Data.Count - keep);
                if (corruptTornPage && keep > file.Synced)
                {
                    int pageStart = Math.Max(file.Synced, (keep - 1) / _pageSize * _pageSize);
                    for (int i = pageStart; i < keep; i++)
                    {
                        file.Data[i] = (byte)random.Next(256);
                    }
                }

                file.Synced = file.Data.Count;
                file.Durable = true;
                file.Programmed = file.Data.Count;
            }

            CutAt = long.MaxValue;
            Dead = false;
        }

        private void Alive()
        {
            if (Dead)
            {
                throw new PowerCutException();
            }
        }

        private sealed class FlashFile(string name)
        {
            public string Name { get; } = name;

            public List<byte> Data { get; } = new();

            public int Synced { get; set; }

            public int Programmed { get; set; }

            public bool Durable { get; set; }

            public bool Deleted { get; set; }
        }

        private sealed class Handle(FlashStore store, FlashFile file) : IStoreFile
        {
            private bool _closed;

            public long Length
            {
                get
                {
                    Usable();
                    return file.Data.Count;
                }
            }

            public void Append(byte[] buffer, int offset, int count)
            {
                Usable();
                if (store.FreeBytes < count)
                {
                    throw new StoreException("flash full");
                }

                long room = store.CutAt - store.BytesAppended;
                int n = (int)Math.Min(count, Math.Max(0, room));
                file.Data.AddRange(new ArraySegment<byte>(buffer, offset, n));
                store.BytesAppended += n;
                if (n < count)
                {
                    store.Dead = true;
                    throw new PowerCutException();
                }
            }

            public void Sync()
            {
                Usable();
                int page = store._pageSize;
                int from = file.Programmed / page * page;
                int to = (file.Data.Count + page - 1) / page * page;
                store.BytesProgrammed += Math.Max(0, to - from);
                file.Programmed = file.Data.Count;
                file.Synced = file.Data.Count;
                file.Durable = true;
                store.Syncs++;
            }

            public int Read(long position, byte[] buffer, int offset, int count)
            {
                Usable();
                int n = (int)Math.Max(0, Math.Min(count, file.Data.Count - position));
                file.Data.CopyTo((int)position, buffer, offset, n);
                return n;
            }

            public void Close()
            {
                if (!store.Dead)
                {
                    _closed = true;
                }
            }

            private void Usable()
            {
                store.Alive();
                if (_closed || file.Deleted)
                {
                    throw new StoreException(file.Name + " is closed or deleted");
                }
            }
        }
    }
}

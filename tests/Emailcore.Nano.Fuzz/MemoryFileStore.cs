using System;
using System.Collections.Generic;
using System.Linq;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Fuzz
{
    /// <summary>The spool's file store in memory: the fuzz input's segment files, and what the spool writes after them.</summary>
    public sealed class MemoryFileStore : IFileStore
    {
        private readonly Dictionary<string, List<byte>> _files = new();

        public long FreeBytes => long.MaxValue / 4;

        public IReadOnlyDictionary<string, List<byte>> Files => _files;

        public void Put(string name, byte[] content) => _files[name] = new List<byte>(content);

        public IStoreFile Create(string name)
        {
            if (_files.ContainsKey(name))
            {
                throw new StoreException(name + " exists");
            }

            _files[name] = new List<byte>();
            return new File(_files[name]);
        }

        public IStoreFile Open(string name) => _files.TryGetValue(name, out List<byte>? data) ? new File(data) : throw new StoreException(name + " is missing");

        public void Delete(string name) => _files.Remove(name);

        public string[] List() => _files.Keys.ToArray();

        private sealed class File(List<byte> data) : IStoreFile
        {
            private bool _closed;

            public long Length => data.Count;

            public void Append(byte[] buffer, int offset, int count)
            {
                Check();
                data.AddRange(new ArraySegment<byte>(buffer, offset, count));
            }

            public void Sync() => Check();

            public int Read(long position, byte[] buffer, int offset, int count)
            {
                Check();
                if (position < 0 || count < 0 || offset < 0 || offset + count > buffer.Length)
                {
                    throw new InvalidOperationException("read of " + count + " bytes at " + position + " into " + offset + "/" + buffer.Length);
                }

                if (position >= data.Count)
                {
                    return 0;
                }

                int n = (int)Math.Min(count, data.Count - position);
                data.CopyTo((int)position, buffer, offset, n);
                return n;
            }

            public void Close() => _closed = true;

            private void Check()
            {
                if (_closed)
                {
                    throw new InvalidOperationException("use of a closed file");
                }
            }
        }
    }
}

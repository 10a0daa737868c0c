#nullable disable
using System.Collections;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>Directories as <see cref="FlashStore"/>s in memory (the spool's, the Maildir folders), mscorlib only.</summary>
    public sealed class MemoryFileSystem : IFileSystem
    {
        private readonly ArrayList _paths = new ArrayList();
        private readonly ArrayList _stores = new ArrayList();

        public IFileStore OpenStore(string path)
        {
            return Store(path);
        }

        /// <summary>The directory at <paramref name="path"/>, made when missing.</summary>
        public FlashStore Store(string path)
        {
            int index = _paths.IndexOf(path);
            if (index < 0)
            {
                _paths.Add(path);
                _stores.Add(new FlashStore());
                index = _paths.Count - 1;
            }

            return (FlashStore)_stores[index];
        }

        public void Move(IFileStore from, string name, IFileStore to)
        {
            var target = (FlashStore)to;
            if (System.Array.IndexOf(target.Names, name) >= 0)
            {
                throw new StoreException(name + " exists");
            }

            var source = (FlashStore)from;
            target.Put(name, source.Bytes(name));
            source.Delete(name);
        }
    }
}

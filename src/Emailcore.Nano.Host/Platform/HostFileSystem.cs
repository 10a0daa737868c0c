using System;
using System.IO;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Host.Platform
{
    /// <summary>Directories under a root folder (the working directory for the embedded default).</summary>
    public sealed class HostFileSystem : IFileSystem
    {
        private readonly string _root;

        public HostFileSystem(string root)
        {
            _root = Path.GetFullPath(root);
        }

        public IFileStore OpenStore(string path) => new HostFileStore(Path.Combine(_root, path));

        public void Move(IFileStore from, string name, IFileStore to)
        {
            var source = (HostFileStore)from;
            var target = (HostFileStore)to;
            try
            {
                // File.Move without overwrite is rename(2) on the same file system and fails when the target exists.
                File.Move(source.PathOf(name), target.PathOf(name), overwrite: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StoreException("cannot move " + name + ": " + e.Message, e);
            }

            target.SyncDirectory();
            source.SyncDirectory();
        }
    }
}

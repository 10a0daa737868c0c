using System;
using System.IO;
using System.Runtime.InteropServices;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Host.Platform
{
    /// <summary>
    /// The spool's file store on the host: one directory; Sync is fsync of the file (FileStream.Flush(true)),
    /// and after a Create also fsync of the directory, so the new name survives a crash (the POSIX rule
    /// nullmailer and Postfix follow).
    /// </summary>
    public sealed class HostFileStore : IFileStore
    {
        private readonly string _directory;

        public HostFileStore(string directory)
        {
            _directory = Path.GetFullPath(directory);
            Directory.CreateDirectory(_directory);
        }

        public long FreeBytes => new DriveInfo(_directory).AvailableFreeSpace;

        public IStoreFile Create(string name)
        {
            try
            {
                var stream = new FileStream(PathOf(name), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.None);
                return new HostStoreFile(stream, this, needsDirectorySync: true);
            }
            catch (IOException e)
            {
                throw new StoreException("cannot create " + name + ": " + e.Message, e);
            }
        }

        public IStoreFile Open(string name)
        {
            try
            {
                var stream = new FileStream(PathOf(name), FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.None);
                return new HostStoreFile(stream, this, needsDirectorySync: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StoreException("cannot open " + name + ": " + e.Message, e);
            }
        }

        public void Delete(string name)
        {
            try
            {
                File.Delete(PathOf(name));
                SyncDirectory();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StoreException("cannot delete " + name + ": " + e.Message, e);
            }
        }

        public string[] List()
        {
            string[] paths = Directory.GetFiles(_directory);
            for (int i = 0; i < paths.Length; i++)
            {
                paths[i] = Path.GetFileName(paths[i]);
            }

            return paths;
        }

        internal string PathOf(string name)
        {
            if (name.Length == 0 || name.IndexOfAny(['/', '\\']) >= 0 || name == "." || name == "..")
            {
                throw new StoreException("bad file name \"" + name + "\"");
            }

            return Path.Combine(_directory, name);
        }

        /// <summary>fsync(2) of the directory: .NET has no API for it, so it goes through libc on Unix.</summary>
        internal void SyncDirectory()
        {
            if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
            {
                return;
            }

            int fd = Libc.open(_directory, 0 /* O_RDONLY */);
            if (fd < 0)
            {
                throw new StoreException("cannot open directory " + _directory + " for fsync (errno " + Marshal.GetLastPInvokeError() + ")");
            }

            try
            {
                if (Libc.fsync(fd) != 0)
                {
                    throw new StoreException("fsync of directory " + _directory + " failed (errno " + Marshal.GetLastPInvokeError() + ")");
                }
            }
            finally
            {
                Libc.close(fd);
            }
        }

        private sealed class HostStoreFile : IStoreFile
        {
            private readonly FileStream _stream;
            private readonly HostFileStore _store;
            private bool _needsDirectorySync;

            public HostStoreFile(FileStream stream, HostFileStore store, bool needsDirectorySync)
            {
                _stream = stream;
                _store = store;
                _needsDirectorySync = needsDirectorySync;
            }

            public long Length => _stream.Length;

            public void Append(byte[] buffer, int offset, int count)
            {
                try
                {
                    _stream.Seek(0, SeekOrigin.End);
                    _stream.Write(buffer, offset, count);
                }
                catch (IOException e)
                {
                    throw new StoreException("write to " + _stream.Name + " failed: " + e.Message, e);
                }
            }

            public void Sync()
            {
                try
                {
                    _stream.Flush(flushToDisk: true);
                }
                catch (IOException e)
                {
                    throw new StoreException("fsync of " + _stream.Name + " failed: " + e.Message, e);
                }

                if (_needsDirectorySync)
                {
                    _store.SyncDirectory();
                    _needsDirectorySync = false;
                }
            }

            public int Read(long position, byte[] buffer, int offset, int count)
            {
                try
                {
                    _stream.Seek(position, SeekOrigin.Begin);
                    return _stream.Read(buffer, offset, count);
                }
                catch (IOException e)
                {
                    throw new StoreException("read from " + _stream.Name + " failed: " + e.Message, e);
                }
            }

            public void Close() => _stream.Dispose();
        }

        private static partial class Libc
        {
            [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi)]
            public static extern int open(string path, int flags);

            [DllImport("libc", SetLastError = true)]
            public static extern int fsync(int fd);

            [DllImport("libc", SetLastError = true)]
            public static extern int close(int fd);
        }
    }
}

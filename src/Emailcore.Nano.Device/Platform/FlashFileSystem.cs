using System;
using System.IO;
using System.Reflection;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Device.Platform
{
    /// <summary>
    /// Directories on the internal flash (I:\, LittleFS). The durability point is closing the file: the ESP32
    /// driver only fflush'es on Flush, and LittleFS commits a file's data on sync or close (platform doc §5),
    /// so <see cref="IStoreFile.Sync"/> closes the FileStream and opens it again.
    /// </summary>
    public sealed class FlashFileSystem : IFileSystem
    {
        private readonly string _root;
        private readonly MethodInfo _rename;

        /// <param name="root">"I:\\" on a board.</param>
        public FlashFileSystem(string root)
        {
            _root = root;
            _rename = NativeRename();
        }

        /// <summary>False when this firmware's System.IO.FileSystem has no native rename to call; <see cref="Move"/> then refuses.</summary>
        public bool CanRename
        {
            get { return _rename != null; }
        }

        public IFileStore OpenStore(string path)
        {
            string directory = _root;
            string[] parts = path.Split('/');
            for (int i = 0; i < parts.Length; i++)
            {
                if (parts[i].Length == 0 || parts[i] == ".")
                {
                    continue;
                }

                directory = directory + (directory.EndsWith("\\") ? string.Empty : "\\") + parts[i];
                if (!Directory.Exists(directory))
                {
                    Directory.CreateDirectory(directory);
                }
            }

            return new FlashStore(directory);
        }

        /// <summary>
        /// The seam promises an atomic move; LittleFS's rename is one (lfs_rename commits the metadata pair at once).
        /// File.Move is not used: when the native rename returns false it copies and deletes, and a power cut in
        /// between leaves a partial file under the final name (a Maildir message cut short, counted as delivered).
        /// The native rename is called directly, and its false is a <see cref="StoreException"/>: no rename at all.
        /// </summary>
        public void Move(IFileStore from, string name, IFileStore to)
        {
            string source = ((FlashStore)from).PathOf(name);
            string target = ((FlashStore)to).PathOf(name);
            if (_rename == null)
            {
                throw new StoreException("cannot move " + name + ": this firmware's System.IO.FileSystem has no native rename (System.IO.NativeIO.Move), and copy + delete is not atomic");
            }

            if (File.Exists(target))
            {
                throw new StoreException("cannot move " + name + ": it exists");
            }

            bool renamed;
            try
            {
                renamed = (bool)_rename.Invoke(null, new object[] { source, target });
            }
            catch (Exception e)
            {
                throw new StoreException("cannot move " + name + ": " + e.Message, e);
            }

            if (!renamed)
            {
                throw new StoreException("cannot move " + name + ": the flash file system refused the rename (full or damaged?)");
            }
        }

        /// <summary>
        /// System.IO.FileSystem's internal "static extern bool NativeIO.Move(string, string)" (nanoframework/System.IO.FileSystem@434b26c6,
        /// System.IO.FileSystem/NativeIO.cs), the rename that File.Move wraps with its copy fallback; null when this build lacks it.
        /// </summary>
        private static MethodInfo NativeRename()
        {
            Type native = typeof(File).Assembly.GetType("System.IO.NativeIO");
            MethodInfo move = native == null ? null : native.GetMethod("Move", BindingFlags.Static | BindingFlags.NonPublic);
            return move != null && move.ReturnType == typeof(bool) ? move : null;
        }
    }

    internal sealed class FlashStore : IFileStore
    {
        private readonly string _directory;

        public FlashStore(string directory)
        {
            _directory = directory;
        }

        /// <summary>
        /// LittleFS tells managed code no free space (there is no such property), so this is no bound:
        /// the spool's queue_size_limit, set in each board's main.cf below the I:\ partition, is the bound.
        /// </summary>
        public long FreeBytes
        {
            get { return long.MaxValue; }
        }

        public IStoreFile Create(string name)
        {
            return Open(name, FileMode.CreateNew);
        }

        public IStoreFile Open(string name)
        {
            return Open(name, FileMode.Open);
        }

        public void Delete(string name)
        {
            try
            {
                File.Delete(PathOf(name));
            }
            catch (Exception e)
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
            if (name.Length == 0 || name.IndexOf('\\') >= 0 || name.IndexOf('/') >= 0)
            {
                throw new StoreException("bad file name \"" + name + "\"");
            }

            return _directory + "\\" + name;
        }

        private IStoreFile Open(string name, FileMode mode)
        {
            string path = PathOf(name);
            try
            {
                return new FlashFile(path, new FileStream(path, mode, FileAccess.ReadWrite, FileShare.None));
            }
            catch (Exception e)
            {
                throw new StoreException("cannot open " + name + ": " + e.Message, e);
            }
        }
    }

    internal sealed class FlashFile : IStoreFile
    {
        private readonly string _path;
        private FileStream _stream;

        public FlashFile(string path, FileStream stream)
        {
            _path = path;
            _stream = stream;
        }

        public long Length
        {
            get { return _stream.Length; }
        }

        public void Append(byte[] buffer, int offset, int count)
        {
            try
            {
                _stream.Seek(0, SeekOrigin.End);
                _stream.Write(buffer, offset, count);
            }
            catch (Exception e)
            {
                throw new StoreException("write to " + _path + " failed: " + e.Message, e);
            }
        }

        /// <summary>Close commits the file on LittleFS; reopening lets the spool keep appending.</summary>
        public void Sync()
        {
            try
            {
                _stream.Close();
                _stream = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (Exception e)
            {
                throw new StoreException("sync of " + _path + " failed: " + e.Message, e);
            }
        }

        public int Read(long position, byte[] buffer, int offset, int count)
        {
            try
            {
                _stream.Seek(position, SeekOrigin.Begin);
                return _stream.Read(buffer, offset, count);
            }
            catch (Exception e)
            {
                throw new StoreException("read from " + _path + " failed: " + e.Message, e);
            }
        }

        public void Close()
        {
            _stream.Close();
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Host
{
    /// <summary>
    /// The spool in `queue_directory` on the host. A writer (the relay, `queue delete`, `flush`) first takes an
    /// exclusive lock on the directory's ".lock" file for the life of the process, so two processes never append to
    /// one spool; readers (`queue`, `spool check`) take no lock and see the spool as of their start.
    /// </summary>
    public static class HostSpool
    {
        public const string LockName = ".lock";

        private static readonly List<FileStream> Locks = new();

        /// <summary>The directory the configuration names, as an absolute path.</summary>
        public static string Directory(MainConfig config) => Path.GetFullPath(config.GetString(Parameters.QueueDirectory));

        /// <summary>
        /// Opens and recovers the spool; throws <see cref="StoreException"/> saying why a writer cannot have it: another
        /// process holds it, or its directory is read-only, full or not writable.
        /// </summary>
        public static Nano.Spool.Spool Open(MainConfig config, ILog log, bool readOnly)
        {
            string directory = Directory(config);
            HostFileStore store;
            try
            {
                store = new HostFileStore(directory);
                if (!readOnly)
                {
                    var handle = new FileStream(Path.Combine(directory, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                    lock (Locks)
                    {
                        Locks.Add(handle);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A locked, read-only or full spool each needs a different fix: say which one it is.
                if (FileErrors.IsLocked(e))
                {
                    throw new SpoolInUseException("the spool " + directory + " is in use by another emailcore process", e);
                }

                throw new StoreException("the spool " + directory + " " + FileErrors.Describe(e), e);
            }

            return Nano.Spool.Spool.Open(config, store, log, new HostClock(), readOnly);
        }
    }

    /// <summary>The spool's lock is held: a relay (or another writer) is running on it.</summary>
    public sealed class SpoolInUseException : StoreException
    {
        public SpoolInUseException(string message, Exception inner) : base(message, inner)
        {
        }
    }
}

using System.IO;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Hardening
{
    /// <summary>Issue 18 item 7: a spool that cannot be written says why (read-only, full, in use), each on a real file system.</summary>
    public sealed class SpoolDirectoryTests
    {
        private static MainConfig Config(string directory)
        {
            var config = new MainConfig(board: false);
            config.Set("queue_directory", directory, 1);
            return config;
        }

        [TmpfsFact]
        public void AReadOnlySpoolIsSaidToBeReadOnly()
        {
            using var fs = new Tmpfs("size=256k");
            fs.Remount("ro");
            var e = Assert.Throws<StoreException>(() => HostSpool.Open(Config(fs.Path), new ListLog(), readOnly: false));
            Assert.Equal("the spool " + fs.Path + " is on a read-only file system", e.Message);

            // Reading a read-only spool (emailcore queue, spool check) still works.
            HostSpool.Open(Config(fs.Path), new ListLog(), readOnly: true).Close();
        }

        [TmpfsFact]
        public void AFullSpoolIsSaidToBeFull()
        {
            // Every inode taken: not even the lock file can be created.
            using var fs = new Tmpfs("size=256k,nr_inodes=2");
            File.WriteAllText(Path.Combine(fs.Path, "filler"), "x");
            var e = Assert.Throws<StoreException>(() => HostSpool.Open(Config(fs.Path), new ListLog(), readOnly: false));
            Assert.StartsWith("the spool " + fs.Path + " is full", e.Message);
        }

        [Fact]
        public void ASpoolHeldByAnotherWriterIsSaidToBeInUse()
        {
            string directory = Path.Combine(Path.GetTempPath(), "emailcore-inuse-" + System.Guid.NewGuid().ToString("N"));
            try
            {
                Nano.Spool.Spool first = HostSpool.Open(Config(directory), new ListLog(), readOnly: false);
                var e = Assert.Throws<SpoolInUseException>(() => HostSpool.Open(Config(directory), new ListLog(), readOnly: false));
                Assert.Equal("the spool " + directory + " is in use by another emailcore process", e.Message);
                first.Close();
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}

namespace Emailcore.Nano.Platform
{
    /// <summary>
    /// A flat directory of append-only files: the spool's view of the board's flash or the host's disk.
    /// Names are short ASCII (8.3-safe); there are no subdirectories.
    /// </summary>
    public interface IFileStore
    {
        /// <summary>Creates an empty file; throws <see cref="StoreException"/> when it exists.</summary>
        IStoreFile Create(string name);

        /// <summary>Opens an existing file for reading and appending; throws <see cref="StoreException"/> when missing.</summary>
        IStoreFile Open(string name);

        void Delete(string name);

        /// <summary>The names of all files, in no particular order.</summary>
        string[] List();

        /// <summary>Bytes still free on the medium, as near as the platform can tell.</summary>
        long FreeBytes { get; }
    }

    public interface IStoreFile
    {
        long Length { get; }

        /// <summary>Appends at the end. The bytes may sit in a cache until <see cref="Sync"/>.</summary>
        void Append(byte[] buffer, int offset, int count);

        /// <summary>
        /// The durability point: when it returns, every appended byte, and the file's existence, survive a
        /// power cut. On the host this is fsync of the file (and of the directory after Create).
        /// </summary>
        void Sync();

        /// <summary>Reads up to <paramref name="count"/> bytes at <paramref name="position"/>; returns the number read, 0 at the end.</summary>
        int Read(long position, byte[] buffer, int offset, int count);

        void Close();
    }
}

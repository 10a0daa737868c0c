namespace Emailcore.Nano.Platform
{
    /// <summary>
    /// Directories on the medium: the spool's directory and the Maildir folders each become an <see cref="IFileStore"/>.
    /// Paths are relative to the application's root (the host's working directory, the board's I:\), separated by '/'.
    /// </summary>
    public interface IFileSystem
    {
        /// <summary>The directory at <paramref name="path"/>, created (with its parents) when missing.</summary>
        IFileStore OpenStore(string path);

        /// <summary>
        /// Atomically moves a closed file to another directory of the same medium (rename(2)), durably:
        /// after return, a power cut leaves it in <paramref name="to"/> and not in <paramref name="from"/>.
        /// Throws <see cref="StoreException"/> when the target name exists.
        /// </summary>
        void Move(IFileStore from, string name, IFileStore to);
    }
}

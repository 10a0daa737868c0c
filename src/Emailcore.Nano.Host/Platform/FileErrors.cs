using System;
using System.IO;

namespace Emailcore.Nano.Host.Platform
{
    /// <summary>
    /// What a file error means to an administrator: the spool is locked by another process, on a read-only file
    /// system, on a full medium, or not ours to write. .NET on Unix carries errno in <see cref="Exception.HResult"/>.
    /// </summary>
    internal static class FileErrors
    {
        private const int EAGAIN = 11;
        private const int EACCES = 13;
        private const int ENOSPC = 28;
        private const int EROFS = 30;
        private const int EDQUOT = 122;
        private const int WindowsSharingViolation = unchecked((int)0x80070020);
        private const int WindowsLockViolation = unchecked((int)0x80070021);
        private const int WindowsDiskFull = unchecked((int)0x80070070);

        /// <summary>True when another process holds the lock (flock's EWOULDBLOCK, Windows' sharing violation).</summary>
        public static bool IsLocked(Exception e)
        {
            return e is IOException && (e.HResult == EAGAIN || e.HResult == WindowsSharingViolation || e.HResult == WindowsLockViolation);
        }

        /// <summary>The condition in words, to follow "the spool DIR ": "is on a read-only file system", "is full (...)".</summary>
        public static string Describe(Exception e)
        {
            if (e is UnauthorizedAccessException || e.HResult == EACCES)
            {
                return "is not writable by this user (permission denied)";
            }

            switch (e.HResult)
            {
                case EROFS:
                    return "is on a read-only file system";
                case ENOSPC:
                case EDQUOT:
                case WindowsDiskFull:
                    return "is full (no space or no inodes left on its file system)";
                default:
                    return "cannot be written: " + e.Message;
            }
        }
    }
}

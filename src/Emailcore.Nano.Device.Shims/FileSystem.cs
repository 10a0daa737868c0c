// Shims: signatures from nanoframework/System.IO.FileSystem@434b26c6 (checked against that commit), System.IO.FileSystem/FileStream.cs,
// FileMode.cs, FileAccess.cs, FileShare.cs, File.cs, Directory.cs, DirectoryInfo.cs, Path.cs. The base class Stream is the real
// System.IO.Streams 1.1.96 (../shared/tools/nanoframework-net/lib), so FileStream overrides what that abstract class asks.
namespace System.IO
{
    public enum FileMode
    {
        CreateNew = 1,
        Create = 2,
        Open = 3,
        OpenOrCreate = 4,
        Truncate = 5,
        Append = 6,
    }

    [Flags]
    public enum FileAccess
    {
        Read = 1,
        Write = 2,
        ReadWrite = 3,
    }

    [Flags]
    public enum FileShare
    {
        None = 0,
        Read = 1,
        Write = 2,
        ReadWrite = 3,
    }

    public class FileStream : Stream
    {
        public FileStream(string path, FileMode mode, FileAccess access, FileShare share) => throw null;

        public override bool CanRead => throw null;

        public override bool CanSeek => throw null;

        public override bool CanWrite => throw null;

        public override long Length => throw null;

        public override long Position { get => throw null; set => throw null; }

        public override void Flush() => throw null;

        public override int Read(byte[] buffer, int offset, int count) => throw null;

        public override int Read(SpanByte buffer) => throw null;

        public override void Write(byte[] buffer, int offset, int count) => throw null;

        public override long Seek(long offset, SeekOrigin origin) => throw null;

        public override void SetLength(long value) => throw null;
    }

    public static class File
    {
        public static bool Exists(string path) => throw null;

        public static void Delete(string path) => throw null;
    }

    public static class Directory
    {
        public static DirectoryInfo CreateDirectory(string path) => throw null;

        public static bool Exists(string path) => throw null;

        public static string[] GetFiles(string path) => throw null;
    }

    public sealed class DirectoryInfo
    {
    }

    public static class Path
    {
        public static string GetFileName(string path) => throw null;
    }
}

// Shim: signatures from nanoframework/System.IO.Streams@ff384f98, System.IO.Streams/Stream.cs and SeekOrigin.cs.
namespace System.IO
{
    public enum SeekOrigin
    {
        Begin = 0,
        Current = 1,
        End = 2,
    }

    public abstract class Stream : IDisposable
    {
        public virtual long Length => throw null;

        public virtual int Read(byte[] buffer, int offset, int count) => throw null;

        public virtual void Write(byte[] buffer, int offset, int count) => throw null;

        public virtual long Seek(long offset, SeekOrigin origin) => throw null;

        public virtual void Flush() => throw null;

        public virtual void Close() => throw null;

        public void Dispose() => throw null;
    }
}

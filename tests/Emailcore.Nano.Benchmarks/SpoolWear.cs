using System;
using System.IO;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Benchmarks
{
    /// <summary>
    /// Spool write amplification through the real host file store: bytes appended to the store per content byte
    /// for a message's whole life (receipt, commit, one Delivered record), and syncs per message, with the host's
    /// and the board's page and segment sizes. Run: `dotnet run -c Release --project tests/Emailcore.Nano.Benchmarks -- spool-wear`.
    /// </summary>
    public static class SpoolWear
    {
        private const int Messages = 32;

        public static void Print()
        {
            Console.WriteLine("| message | host: bytes written / byte | host: syncs / message | board: bytes written / byte | board: syncs / message |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (int size in new[] { 1024, 4096, 16384, 65536 })
            {
                (double hostRatio, double hostSyncs) = Measure(size, 4096, 1048576);
                (double boardRatio, double boardSyncs) = Measure(size, 1024, 16384);
                Console.WriteLine($"| {size / 1024} KiB | {hostRatio:F3} | {hostSyncs:F2} | {boardRatio:F3} | {boardSyncs:F2} |");
            }
        }

        private static (double Ratio, double Syncs) Measure(int size, int pageSize, int segmentSize)
        {
            string directory = Path.Combine(Path.GetTempPath(), "emailcore-wear-" + Guid.NewGuid().ToString("N"));
            try
            {
                var store = new CountingStore(new HostFileStore(directory));
                var spool = new Nano.Spool.Spool(store, new ConsoleLog(LogLevel.Warning), new HostClock(), pageSize, segmentSize, 1L << 30, 1000, 0, readOnly: false);
                var envelope = new Envelope(1024, 4);
                byte[] from = "sender@lan.example"u8.ToArray();
                byte[] to = "recipient@example.com"u8.ToArray();
                envelope.SetReversePath(from, 0, from.Length);
                envelope.AddRecipient(to, 0, to.Length, 0, to, 0, 0);
                var content = new byte[size];
                new Random(size).NextBytes(content);
                IMessageSink sink = spool.CreateSink();
                byte[] reply = "250 2.0.0 Ok: queued as 4F2A9C"u8.ToArray();
                for (int i = 0; i < Messages; i++)
                {
                    long id = sink.Open(envelope);
                    for (int at = 0; at < size; at += 1000)
                    {
                        sink.Write(content, at, Math.Min(1000, size - at));
                    }

                    if (id < 0 || !sink.Commit() || !spool.RecordState(id, 0, Nano.Spool.RecipientState.Delivered, 0, reply, 0, reply.Length) || !spool.Sync())
                    {
                        throw new InvalidOperationException("the spool refused a message");
                    }
                }

                spool.Close();
                return ((double)store.Appended / ((long)size * Messages), (double)store.Syncs / Messages);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        private sealed class CountingStore(IFileStore inner) : IFileStore
        {
            public long Appended { get; private set; }

            public long Syncs { get; private set; }

            public long FreeBytes => inner.FreeBytes;

            public IStoreFile Create(string name) => new CountingFile(this, inner.Create(name));

            public IStoreFile Open(string name) => new CountingFile(this, inner.Open(name));

            public void Delete(string name) => inner.Delete(name);

            public string[] List() => inner.List();

            private sealed class CountingFile(CountingStore store, IStoreFile file) : IStoreFile
            {
                public long Length => file.Length;

                public void Append(byte[] buffer, int offset, int count)
                {
                    store.Appended += count;
                    file.Append(buffer, offset, count);
                }

                public void Sync()
                {
                    store.Syncs++;
                    file.Sync();
                }

                public int Read(long position, byte[] buffer, int offset, int count) => file.Read(position, buffer, offset, count);

                public void Close() => file.Close();
            }
        }
    }
}

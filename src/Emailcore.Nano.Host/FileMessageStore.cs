using System;
using System.IO;
using System.Text;
using System.Threading;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Host
{
    /// <summary>
    /// A small durable store until the spool lands: each committed message is one file "ID.msg" under
    /// queue_directory holding an SMTP-like transcript of the envelope ("MAIL FROM:&lt;a&gt;", "RCPT TO:&lt;b&gt;"
    /// with their parameters, then "DATA") followed by the content as received. It is written as "ID.tmp",
    /// fsync'd, renamed and the directory fsync'd before <see cref="IMessageSink.Commit"/> returns true.
    /// </summary>
    public sealed class FileMessageStore : IMessageStore
    {
        private readonly HostFileStore _directory;
        private readonly long _sizeLimit;
        private long _used;
        private long _sequence;

        public FileMessageStore(string directory, long sizeLimit)
        {
            _directory = new HostFileStore(directory);
            Directory = Path.GetFullPath(directory);
            _sizeLimit = sizeLimit;
            foreach (string file in System.IO.Directory.GetFiles(Directory, "*.tmp"))
            {
                // A message that was never acknowledged: nobody owns it.
                File.Delete(file);
            }

            foreach (string file in System.IO.Directory.GetFiles(Directory, "*.msg"))
            {
                _used += new FileInfo(file).Length;
            }

            _sequence = DateTimeOffset.UtcNow.ToUnixTimeSeconds() << 20;
        }

        public string Directory { get; }

        public IMessageSink CreateSink() => new Sink(this);

        private bool Fits(long bytes) => Interlocked.Read(ref _used) + Math.Max(bytes, 0) <= _sizeLimit;

        private sealed class Sink : IMessageSink
        {
            private readonly FileMessageStore _store;
            private FileStream? _file;
            private string _temporary = "";
            private string _final = "";
            private long _written;

            public Sink(FileMessageStore store)
            {
                _store = store;
            }

            public bool HasRoom(long declaredSize) => _store.Fits(declaredSize);

            public long Open(Envelope envelope)
            {
                if (!_store.Fits(0))
                {
                    return -1;
                }

                long id = Interlocked.Increment(ref _store._sequence);
                string name = QueueId.Format(id);
                _temporary = Path.Combine(_store.Directory, name + ".tmp");
                _final = Path.Combine(_store.Directory, name + ".msg");
                try
                {
                    _file = new FileStream(_temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 65536);
                }
                catch (IOException e)
                {
                    throw new StoreException("cannot create " + _temporary + ": " + e.Message, e);
                }

                _written = 0;
                Write(Transcript(envelope));
                return id;
            }

            public bool Write(byte[] buffer, int offset, int count)
            {
                _written += count;
                if (!_store.Fits(_written))
                {
                    return false;
                }

                try
                {
                    _file!.Write(buffer, offset, count);
                    return true;
                }
                catch (IOException e)
                {
                    throw new StoreException("write to " + _temporary + " failed: " + e.Message, e);
                }
            }

            public bool Commit()
            {
                try
                {
                    _file!.Flush(flushToDisk: true);
                    _file.Dispose();
                    _file = null;
                    File.Move(_temporary, _final);
                    _store._directory.SyncDirectory();
                }
                catch (IOException)
                {
                    Abort();
                    return false;
                }

                Interlocked.Add(ref _store._used, _written);
                return true;
            }

            public void Abort()
            {
                _file?.Dispose();
                _file = null;
                if (_temporary.Length > 0)
                {
                    File.Delete(_temporary);
                }
            }

            private bool Write(string ascii)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(ascii);
                return Write(bytes, 0, bytes.Length);
            }

            private static string Transcript(Envelope envelope)
            {
                var text = new StringBuilder();
                text.Append("MAIL FROM:<").Append(envelope.ReversePath()).Append('>');
                if (envelope.Body != BodyType.Unspecified)
                {
                    text.Append(envelope.Body == BodyType.EightBitMime ? " BODY=8BITMIME" : " BODY=7BIT");
                }

                if (envelope.SmtpUtf8)
                {
                    text.Append(" SMTPUTF8");
                }

                if (envelope.Ret != DsnReturn.Unspecified)
                {
                    text.Append(envelope.Ret == DsnReturn.Full ? " RET=FULL" : " RET=HDRS");
                }

                if (envelope.EnvIdLength > 0)
                {
                    text.Append(" ENVID=").Append(Encoding.ASCII.GetString(envelope.Arena, envelope.EnvIdOffset, envelope.EnvIdLength));
                }

                if (envelope.AuthLength > 0)
                {
                    text.Append(" AUTH=").Append(Encoding.ASCII.GetString(envelope.Arena, envelope.AuthOffset, envelope.AuthLength));
                }

                text.Append("\r\n");
                for (int i = 0; i < envelope.RecipientCount; i++)
                {
                    text.Append("RCPT TO:<").Append(envelope.Recipient(i)).Append('>');
                    int notify = envelope.RecipientNotify(i);
                    if (notify != 0)
                    {
                        text.Append(" NOTIFY=").Append(NotifyText(notify));
                    }

                    if (envelope.OrcptLength(i) > 0)
                    {
                        text.Append(" ORCPT=").Append(Encoding.ASCII.GetString(envelope.Arena, envelope.OrcptOffset(i), envelope.OrcptLength(i)));
                    }

                    text.Append("\r\n");
                }

                return text.Append("DATA\r\n").ToString();
            }

            private static string NotifyText(int notify)
            {
                if ((notify & Notify.Never) != 0)
                {
                    return "NEVER";
                }

                var parts = new System.Collections.Generic.List<string>();
                if ((notify & Notify.Success) != 0)
                {
                    parts.Add("SUCCESS");
                }

                if ((notify & Notify.Failure) != 0)
                {
                    parts.Add("FAILURE");
                }

                if ((notify & Notify.Delay) != 0)
                {
                    parts.Add("DELAY");
                }

                return string.Join(",", parts);
            }
        }
    }
}

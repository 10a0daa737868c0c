#nullable disable
using System.Collections;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>A message as <see cref="MemoryMessageStore"/> committed it.</summary>
    public sealed class StoredMessage
    {
        public StoredMessage(long id, string from, string[] to, string auth, byte[] content)
        {
            Id = id;
            From = from;
            To = to;
            Auth = auth;
            Content = content;
        }

        public long Id { get; private set; }

        public string From { get; private set; }

        public string[] To { get; private set; }

        public string Auth { get; private set; }

        public byte[] Content { get; private set; }

        public string Text
        {
            get { return Utf8.GetString(Content, 0, Content.Length); }
        }
    }

    /// <summary>A message store in memory for tests: records what was committed, and can be told to be full or to fail.</summary>
    public sealed class MemoryMessageStore : IMessageStore
    {
        private readonly object _gate = new object();
        private readonly ArrayList _committed = new ArrayList();
        private long _next = 0x1A2B3C;

        public MemoryMessageStore()
        {
            Room = true;
            CommitSucceeds = true;
            WriteLimit = long.MaxValue;
        }

        /// <summary>The committed messages so far, oldest first (a copy).</summary>
        public StoredMessage[] Committed
        {
            get
            {
                lock (_gate)
                {
                    var copy = new StoredMessage[_committed.Count];
                    _committed.CopyTo(copy, 0);
                    return copy;
                }
            }
        }

        public int Aborted { get; private set; }

        public bool Room { get; set; }

        public bool CommitSucceeds { get; set; }

        /// <summary>Write returns false once this many content bytes were written.</summary>
        public long WriteLimit { get; set; }

        public IMessageSink CreateSink()
        {
            return new Sink(this);
        }

        /// <summary>The one committed message; fails the check when there is not exactly one.</summary>
        public StoredMessage Single()
        {
            StoredMessage[] all = Committed;
            Emailcore.Nano.Tests.Portable.Check.Equal(1, all.Length, "committed messages");
            return all[0];
        }

        private sealed class Sink : IMessageSink
        {
            private readonly MemoryMessageStore _store;
            private ByteBuffer _content;
            private Envelope _envelope;
            private long _id;

            public Sink(MemoryMessageStore store)
            {
                _store = store;
            }

            public bool HasRoom(long declaredSize)
            {
                return _store.Room;
            }

            public long Open(Envelope envelope)
            {
                if (!_store.Room)
                {
                    return -1;
                }

                lock (_store._gate)
                {
                    _id = _store._next++;
                }

                _envelope = envelope;
                _content = new ByteBuffer();
                return _id;
            }

            public bool Write(byte[] buffer, int offset, int count)
            {
                if (_content.Length + count > _store.WriteLimit)
                {
                    return false;
                }

                _content.Append(buffer, offset, count);
                return true;
            }

            public bool Commit()
            {
                if (!_store.CommitSucceeds)
                {
                    return false;
                }

                var to = new string[_envelope.RecipientCount];
                for (int i = 0; i < to.Length; i++)
                {
                    to[i] = _envelope.Recipient(i);
                }

                string auth = Ascii.GetString(_envelope.Arena, _envelope.AuthOffset, _envelope.AuthLength);
                lock (_store._gate)
                {
                    _store._committed.Add(new StoredMessage(_id, _envelope.ReversePath(), to, auth, _content.ToArray()));
                }

                _content = null;
                return true;
            }

            public void Abort()
            {
                if (_content != null)
                {
                    lock (_store._gate)
                    {
                        _store.Aborted++;
                    }
                }

                _content = null;
            }
        }
    }
}

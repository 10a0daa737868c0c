using System;
using System.Collections.Generic;
using System.IO;
using Emailcore.Nano.Mail;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>A message store in memory for tests: records what was committed, and can be told to be full or to fail.</summary>
    public sealed class MemoryMessageStore : IMessageStore
    {
        private readonly object _gate = new();
        private long _next = 0x1A2B3C;

        public List<StoredMessage> Committed { get; } = new();

        public int Aborted { get; private set; }

        public bool Room { get; set; } = true;

        public bool CommitSucceeds { get; set; } = true;

        /// <summary>Write returns false once this many content bytes were written.</summary>
        public long WriteLimit { get; set; } = long.MaxValue;

        public IMessageSink CreateSink() => new Sink(this);

        public sealed record StoredMessage(long Id, string From, string[] To, string Auth, byte[] Content)
        {
            public string Text => System.Text.Encoding.UTF8.GetString(Content);
        }

        private sealed class Sink : IMessageSink
        {
            private readonly MemoryMessageStore _store;
            private MemoryStream? _content;
            private Envelope? _envelope;
            private long _id;

            public Sink(MemoryMessageStore store) => _store = store;

            public bool HasRoom(long declaredSize) => _store.Room;

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
                _content = new MemoryStream();
                return _id;
            }

            public bool Write(byte[] buffer, int offset, int count)
            {
                if (_content!.Length + count > _store.WriteLimit)
                {
                    return false;
                }

                _content.Write(buffer, offset, count);
                return true;
            }

            public bool Commit()
            {
                if (!_store.CommitSucceeds)
                {
                    return false;
                }

                var to = new string[_envelope!.RecipientCount];
                for (int i = 0; i < to.Length; i++)
                {
                    to[i] = _envelope.Recipient(i);
                }

                lock (_store._gate)
                {
                    string auth = System.Text.Encoding.ASCII.GetString(_envelope.Arena, _envelope.AuthOffset, _envelope.AuthLength);
                    _store.Committed.Add(new StoredMessage(_id, _envelope.ReversePath(), to, auth, _content!.ToArray()));
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

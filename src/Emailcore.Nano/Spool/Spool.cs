using System;
using Emailcore.Nano.Config;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Spool
{
    /// <summary>
    /// The mail queue: an append-only log of records in segment files on an <see cref="IFileStore"/>
    /// (docs/spool-format.md).
    /// <para>The contract. A message is queued once <see cref="IMessageSink.Commit"/> returned true: its records
    /// were synced, and from then on a crash or power cut at any instant neither loses it nor shows it twice.
    /// Anything not committed is never visible. A recipient's state change is durable once <see cref="Sync"/>
    /// returned; Delivered, Failed and Removed never change again, in memory or after recovery. The one window
    /// no spool can close: a crash between the next hop's 250 and the Sync of our Delivered record delivers that
    /// recipient again after restart.</para>
    /// <para>Every member is thread-safe: sessions write through their sinks while the queue runner reads.</para>
    /// </summary>
    public sealed partial class Spool : IMessageStore
    {
        private const string NameSuffix = ".SPL";

        /// <summary>Longest reply text kept per recipient (RFC 5321 §4.5.3.1.5 reply lines are 512 octets).</summary>
        private const int MaxReply = 400;

        /// <summary>Records carry a message id in 32 bits, and 0 names no message.</summary>
        private const long MaxId = 0xFFFFFFFF;

        private readonly object _lock = new object();
        private readonly IFileStore _store;
        private readonly ILog _log;
        private readonly IClock _clock;
        private readonly bool _readOnly;
        private readonly int _pageSize;
        private readonly int _segmentSize;
        private readonly long _sizeLimit;
        private readonly RecordWriter _writer;
        private readonly byte[] _read;
        private readonly byte[] _header = new byte[Record.HeaderSize];
        private readonly byte[] _trailer = new byte[Record.TrailerSize];
        private readonly int _messageLimit;
        private readonly long _minFree;
        private readonly QueueIdCounter _ids;

        /// <summary>
        /// Queued messages, and finished ones whose envelope's segment is still pinned by another (their final
        /// states must then be carried forward). Room for twice the limit plus receipts in flight at a crash.
        /// </summary>
        private readonly QueuedMessage[] _messages;
        private int _messageCount;
        private int[] _segments = new int[16];
        private long[] _segmentLength = new long[16];

        // Where each segment's valid records end: what recovery verified, or what we appended. Reading stops there.
        private long[] _segmentValid = new long[16];
        private bool[] _segmentKept = new bool[16];
        private int _segmentCount;
        private IStoreFile _active;
        private int _activeNumber = -1;
        private bool _dirty;
        private bool _lostUnsynced;
        private IStoreFile _reader;
        private int _readerNumber = -1;
        private int _nextSegment = 1;
        private uint _sequence = 1;
        private long _nextId = 1;

        // Ids below this are reserved durably in the counter files; _nextId may run up to it without a write.
        private long _idLimit;

        // The queue runners' wake-up events (one each, Subscribe); few, so the array grows by one.
        private System.Threading.AutoResetEvent[] _subscribers = new System.Threading.AutoResetEvent[0];

        /// <summary>
        /// Opens the spool and recovers it (see <see cref="DroppedBytes"/>); read-only never writes or deletes.
        /// <paramref name="minFree"/> bytes of the medium are held back from new mail for the records that free space.
        /// </summary>
        public Spool(IFileStore store, ILog log, IClock clock, int pageSize, int segmentSize, long sizeLimit, int messageLimit, long minFree, bool readOnly)
        {
            if (pageSize < 128 || segmentSize < pageSize * 2)
            {
                throw new ArgumentException("spool page size must be at least 128 bytes and the segment size at least two pages");
            }

            _store = store;
            _log = log;
            _clock = clock;
            _readOnly = readOnly;
            _pageSize = pageSize;
            _segmentSize = segmentSize;
            _sizeLimit = sizeLimit;
            _writer = new RecordWriter(pageSize);
            _read = new byte[pageSize];
            _messageLimit = messageLimit;
            _minFree = minFree < 0 ? 0 : minFree;
            _messages = new QueuedMessage[(messageLimit * 2) + 16];
            _ids = new QueueIdCounter(store, log, pageSize);
            lock (_lock)
            {
                Recover();
            }
        }

        /// <summary>The spool as configured: queue_size_limit, spool_page_size, spool_segment_size, spool_index_limit, queue_minfree.</summary>
        public static Spool Open(MainConfig config, IFileStore store, ILog log, IClock clock, bool readOnly)
        {
            return new Spool(store, log, clock, config.GetCount(Parameters.SpoolPageSize), config.GetCount(Parameters.SpoolSegmentSize),
                config.GetSize(Parameters.QueueSizeLimit), config.GetCount(Parameters.SpoolIndexLimit), config.GetSize(Parameters.QueueMinfree), readOnly);
        }

        /// <summary>Bytes recovery found invalid (torn, corrupt, unreadable version) and ignored.</summary>
        public long DroppedBytes { get; private set; }

        /// <summary>Messages recovery dropped: uncommitted ones (an interrupted receipt) and damaged ones.</summary>
        public int DroppedMessages { get; private set; }

        /// <summary>Whether recovery found anything but clean records, writes cut short by a crash, and interrupted receipts.</summary>
        public bool Damaged { get; private set; }

        /// <summary>Segments on the store and their total size (what queue_size_limit bounds).</summary>
        public int SegmentCount
        {
            get
            {
                lock (_lock)
                {
                    return _segmentCount;
                }
            }
        }

        public long UsedBytes
        {
            get
            {
                lock (_lock)
                {
                    return Used();
                }
            }
        }

        /// <summary>
        /// An event of the caller's own, set whenever a message is committed or the queue is flushed, so a queue runner
        /// need not poll. Each runner subscribes once: a commit wakes every one of them, where one shared
        /// AutoResetEvent would wake only one and leave the others to their timeouts.
        /// </summary>
        public System.Threading.AutoResetEvent Subscribe()
        {
            var changed = new System.Threading.AutoResetEvent(false);
            lock (_lock)
            {
                var grown = new System.Threading.AutoResetEvent[_subscribers.Length + 1];
                Array.Copy(_subscribers, grown, _subscribers.Length);
                grown[_subscribers.Length] = changed;
                _subscribers = grown;
            }

            return changed;
        }

        private void NotifySubscribers()
        {
            for (int i = 0; i < _subscribers.Length; i++)
            {
                _subscribers[i].Set();
            }
        }

        /// <summary>A sink for one session; its page-sized buffer is its only allocation.</summary>
        public IMessageSink CreateSink()
        {
            return new SpoolSink(this, _pageSize - Record.Overhead, false);
        }

        /// <summary>
        /// A sink for a delivery status notification: it may use the space queue_minfree holds back, because
        /// committing the bounce is what lets the failed recipients' message go and free its space.
        /// </summary>
        public IMessageSink CreateNotificationSink()
        {
            return new SpoolSink(this, _pageSize - Record.Overhead, true);
        }

        /// <summary>Copies of the queued messages (committed, not finished), oldest first.</summary>
        public QueuedMessage[] Messages()
        {
            lock (_lock)
            {
                int count = 0;
                for (int i = 0; i < _messageCount; i++)
                {
                    if (IsQueued(_messages[i]))
                    {
                        count++;
                    }
                }

                var copies = new QueuedMessage[count];
                count = 0;
                for (int i = 0; i < _messageCount; i++)
                {
                    if (IsQueued(_messages[i]))
                    {
                        copies[count++] = _messages[i].Copy();
                    }
                }

                return copies;
            }
        }

        /// <summary>Fills <paramref name="into"/> with the message's envelope; false when the id is not queued or the envelope does not fit.</summary>
        public bool LoadEnvelope(long id, Envelope into)
        {
            lock (_lock)
            {
                QueuedMessage message = Find(id);
                if (message == null || !message.Committed)
                {
                    return false;
                }

                try
                {
                    long length = ReadHeader(message.EnvelopeSegment, message.EnvelopeOffset);
                    if (_header[2] != Record.Envelope || Record.GetU32(_header, 12) != (uint)id)
                    {
                        throw new StoreException("the record at its envelope's place is another one");
                    }

                    var payload = new byte[(int)length];
                    ReadFully(message.EnvelopeSegment, message.EnvelopeOffset + Record.HeaderSize, payload, 0, (int)length);
                    return EnvelopeCodec.Read(payload, (int)length, into);
                }
                catch (StoreException e)
                {
                    Hold(message, e);
                    return false;
                }
            }
        }

        /// <summary>The message's content for the SMTP client, or null when the id is not queued.</summary>
        public IMessageSource OpenContent(long id)
        {
            lock (_lock)
            {
                QueuedMessage message = Find(id);
                return message == null || !message.Committed ? null : new SpoolReader(this, message.Copy());
            }
        }

        /// <summary>The reply text of the recipient's last recorded attempt, or "" when there was none.</summary>
        public string LastReply(long id, int recipient)
        {
            lock (_lock)
            {
                QueuedMessage message = Find(id);
                if (message == null || recipient < 0 || recipient >= message.RecipientCount || message.StateSegment(recipient) < 0)
                {
                    return "";
                }

                int length = ReadStateRecord(message, recipient);
                int replyLength = Record.GetU16(_read, Record.HeaderSize + 12);
                return replyLength > length - Record.StateFixedPayload ? "" : Text.Utf8.GetString(_read, Record.HeaderSize + Record.StateFixedPayload, replyLength);
            }
        }

        /// <summary>
        /// Appends a recipient's new state (not yet durable: call <see cref="Sync"/> after the batch). The reply is the
        /// next hop's text, cut to 400 bytes; <paramref name="nextAttemptTicks"/> matters for Deferred. False when the
        /// id or recipient is unknown, the recipient's state is already final, or the store failed; in the last case the
        /// state is applied in memory all the same, so the queue runner does not try the recipient again in this process.
        /// </summary>
        public bool RecordState(long id, int recipient, RecipientState state, long nextAttemptTicks, byte[] reply, int offset, int count)
        {
            lock (_lock)
            {
                QueuedMessage message = Find(id);
                if (_readOnly || message == null || !message.Committed || recipient < 0 || recipient >= message.RecipientCount
                    || QueuedMessage.IsFinal(message.State(recipient)) || state == RecipientState.Pending)
                {
                    return false;
                }

                int attempts = message.Attempts(recipient) + (state == RecipientState.Removed ? 0 : 1);
                if (count > MaxReply)
                {
                    count = MaxReply;
                }

                try
                {
                    int at = Begin(Record.State, id, Record.StateFixedPayload + count);
                    _writer.PutU16(recipient);
                    _writer.PutU8((int)state);
                    _writer.PutU8(attempts > 255 ? 255 : attempts);
                    _writer.PutI64(nextAttemptTicks);
                    _writer.PutU16(count);
                    _writer.Put(reply, offset, count);
                    End(Record.StateFixedPayload + count);
                    message.Apply(recipient, state, attempts > 255 ? 255 : attempts, nextAttemptTicks, _activeNumber, at);
                    return true;
                }
                catch (Exception e)
                {
                    if (!IsWriteFailure(e))
                    {
                        throw;
                    }

                    Abandon(e);

                    // The state holds in this process even though the medium refused its record: a recipient the next hop
                    // accepted is never sent again because of a full disk (a restart before the record is written may,
                    // the window of a crash before the sync). The record keeps pointing at the last one written.
                    message.Apply(recipient, state, attempts > 255 ? 255 : attempts, nextAttemptTicks, message.StateSegment(recipient), message.StateOffset(recipient));
                    return false;
                }
            }
        }

        /// <summary>Makes every recorded change durable (one sync), then recycles segments nothing needs any more.</summary>
        public bool Sync()
        {
            lock (_lock)
            {
                try
                {
                    SyncActive();
                    bool lost = _lostUnsynced;
                    _lostUnsynced = false;
                    Collect();
                    return !lost;
                }
                catch (Exception e)
                {
                    if (!IsWriteFailure(e))
                    {
                        throw;
                    }

                    Abandon(e);
                    return false;
                }
            }
        }

        /// <summary>Administrative delete (`postsuper -d`): every open recipient becomes Removed, durably; no bounce.</summary>
        public bool Remove(long id)
        {
            QueuedMessage message = null;
            lock (_lock)
            {
                message = Find(id);
                if (message == null || !IsQueued(message))
                {
                    return false;
                }

                byte[] reply = Text.Ascii.GetBytes("removed by the administrator");
                for (int i = 0; i < message.RecipientCount; i++)
                {
                    if (!QueuedMessage.IsFinal(message.State(i)) && !RecordState(id, i, RecipientState.Removed, 0, reply, 0, reply.Length))
                    {
                        return false;
                    }
                }

                return Sync();
            }
        }

        /// <summary>`postqueue -f`: every deferred recipient becomes due now, durably. Returns how many changed.</summary>
        public int Flush()
        {
            lock (_lock)
            {
                int changed = 0;
                try
                {
                    for (int i = 0; i < _messageCount; i++)
                    {
                        QueuedMessage message = _messages[i];
                        for (int r = 0; IsQueued(message) && r < message.RecipientCount; r++)
                        {
                            if (message.State(r) == RecipientState.Deferred && message.NextAttemptTicks(r) != 0)
                            {
                                CopyState(message, r, true);
                                changed++;
                            }
                        }
                    }

                    SyncActive();
                }
                catch (Exception e)
                {
                    if (!IsWriteFailure(e))
                    {
                        throw;
                    }

                    Abandon(e);
                }

                NotifySubscribers();
                return changed;
            }
        }

        /// <summary>Syncs and closes the open files (a clean stop); the spool must not be used afterwards.</summary>
        public void Close()
        {
            lock (_lock)
            {
                if (_active != null)
                {
                    SyncActive();
                    _active.Close();
                    _active = null;
                }

                if (_reader != null)
                {
                    _reader.Close();
                    _reader = null;
                    _readerNumber = -1;
                }
            }
        }

        // ---- the sink's side (SpoolSink calls these) ----

        internal bool HasRoom(long declaredSize, bool reserve)
        {
            lock (_lock)
            {
                // RFC 1870 §6: a declared SIZE that does not fit now gets 452 at MAIL, before any data is sent.
                long size = declaredSize < 0 ? 0 : declaredSize;
                long footprint = size + (size / (_pageSize - Record.Overhead) + 1) * Record.Overhead + _pageSize;
                return !_readOnly && Unfinished() < _messageLimit && Used() + footprint <= _sizeLimit && HasFree(footprint, reserve);
            }
        }

        internal QueuedMessage OpenMessage(Envelope envelope, bool reserve)
        {
            lock (_lock)
            {
                int length = EnvelopeCodec.Measure(envelope);
                if (_readOnly || Unfinished() >= _messageLimit || !Fits(Record.Overhead + length) || !HasFree(Record.Overhead + length, reserve))
                {
                    return null;
                }

                try
                {
                    if (_messageCount == _messages.Length)
                    {
                        Collect();
                        if (_messageCount == _messages.Length)
                        {
                            _log.Write(LogLevel.Warning, "spool: index full of finished messages kept by older unfinished ones");
                            return null;
                        }
                    }

                    if (_nextId >= _idLimit && !ReserveIds())
                    {
                        return null;
                    }

                    DateTime now;
                    var message = new QueuedMessage(_nextId, _clock.TryGetUtcNow(out now) ? now.Ticks : 0, envelope.RecipientCount);
                    int at = Begin(Record.Envelope, message.Id, length);
                    EnvelopeCodec.Write(envelope, message.ArrivalTicks, _writer);
                    End(length);
                    _nextId++;
                    message.EnvelopeSegment = _activeNumber;
                    message.EnvelopeOffset = at;
                    message.LastSegment = _activeNumber;
                    message.Reserve = reserve;
                    _messages[_messageCount++] = message;
                    return message;
                }
                catch (Exception e)
                {
                    if (!IsWriteFailure(e))
                    {
                        throw;
                    }

                    Abandon(e);
                    return null;
                }
            }
        }

        /// <summary>
        /// The next block of ids, synced before any is used: a power cut then skips the rest of a block and never
        /// repeats an id (docs/spool-format.md, "Queue ids"). Ids are the records' 32 bits; none is ever used twice.
        /// </summary>
        private bool ReserveIds()
        {
            if (_nextId > MaxId)
            {
                _log.Write(LogLevel.Error, "spool: every 32-bit queue id has been used; new mail is refused");
                return false;
            }

            long limit = _nextId + QueueIdCounter.Block;
            if (limit > MaxId + 1)
            {
                limit = MaxId + 1;
            }

            try
            {
                _ids.Reserve(limit);
            }
            catch (Exception e)
            {
                if (!IsWriteFailure(e))
                {
                    throw;
                }

                _log.Write(LogLevel.Error, "spool: queue ids not reserved: " + (e is OutOfMemoryException ? "out of memory while writing" : e.Message));
                return false;
            }

            _idLimit = limit;
            return true;
        }

        internal bool AppendChunk(QueuedMessage message, byte[] buffer, int count)
        {
            lock (_lock)
            {
                return WriteChunk(message, buffer, count);
            }
        }

        /// <summary>The last chunk, the commit record, one sync. False (and the message gone) when any of it failed.</summary>
        internal bool CommitMessage(QueuedMessage message, byte[] buffer, int count)
        {
            lock (_lock)
            {
                if ((count > 0 && !WriteChunk(message, buffer, count)) || message.Broken || !Fits(Record.Overhead + Record.CommitPayload))
                {
                    Drop(message);
                    return false;
                }

                // RFC 5321 §6.1: the 250 sent after this returns true is a promise to deliver, so it rests on a sync.
                try
                {
                    Begin(Record.Commit, message.Id, Record.CommitPayload);
                    _writer.PutI64(message.Size);
                    _writer.PutU32((uint)message.Chunks);
                    End(Record.CommitPayload);
                    SyncActive();
                }
                catch (Exception e)
                {
                    if (!IsWriteFailure(e))
                    {
                        throw;
                    }

                    Abandon(e);
                }

                if (message.Broken)
                {
                    Drop(message);
                    return false;
                }

                message.Committed = true;
                message.LastSegment = _activeNumber;
                NotifySubscribers();
                return true;
            }
        }

        internal void AbortMessage(QueuedMessage message)
        {
            lock (_lock)
            {
                Drop(message);
            }
        }

        // ---- the reader's side (SpoolReader calls this) ----

        /// <summary>
        /// The next content bytes of the reader's message. It walks the records from the envelope on, only within
        /// what recovery verified or we appended (a damaged tail is never read: the content goes on in the next
        /// segment), every length taken unsigned and checked against that bound and the committed size. Content that
        /// cannot be read throws <see cref="ContentUnreadableException"/> and holds the message.
        /// </summary>
        internal int ReadContent(SpoolReader reader, byte[] buffer, int offset, int count)
        {
            lock (_lock)
            {
                try
                {
                    return ReadContentLocked(reader, buffer, offset, count);
                }
                catch (ContentUnreadableException)
                {
                    throw;
                }
                catch (StoreException e)
                {
                    throw Hold(Find(reader.Id), e);
                }
            }
        }

        private int ReadContentLocked(SpoolReader reader, byte[] buffer, int offset, int count)
        {
            while (true)
            {
                if (reader.ChunkLeft > 0)
                {
                    int want = count < reader.ChunkLeft ? count : (int)reader.ChunkLeft;
                    ReadFully(reader.Segment, reader.ChunkPosition, buffer, offset, want);
                    reader.ChunkLeft -= want;
                    reader.ChunkPosition += want;
                    reader.Done += want;
                    return want;
                }

                if (reader.Done >= reader.Length || count == 0)
                {
                    return 0;
                }

                int segment = reader.Segment;
                if (reader.Position + Record.Overhead > ValidEnd(segment))
                {
                    reader.Segment = NextSegmentAfter(segment);
                    reader.Position = 0;
                    if (reader.Segment < 0)
                    {
                        throw new StoreException("its records end " + (reader.Length - reader.Done).ToString() + " bytes before its committed size");
                    }

                    continue;
                }

                long length = ReadHeader(segment, reader.Position);
                if (_header[2] == Record.Chunk && Record.GetU32(_header, 12) == (uint)reader.Id)
                {
                    if (length > reader.Length - reader.Done)
                    {
                        throw new StoreException("a chunk at " + NameOf(segment) + ":" + reader.Position.ToString() + " goes past its committed size");
                    }

                    reader.ChunkLeft = length;
                    reader.ChunkPosition = reader.Position + Record.HeaderSize;
                }

                reader.Position += Record.Overhead + length;
            }
        }

        /// <summary>
        /// A message whose records cannot be read is held: not due again in this process (a restart tries it once
        /// more, which helps when the cause was passing). One error line says so; the returned exception says it to the caller.
        /// </summary>
        private ContentUnreadableException Hold(QueuedMessage message, StoreException e)
        {
            long id = message == null ? 0 : message.Id;
            string text = QueueId.Format(id) + ": content cannot be read from the spool (" + e.Message + "); message held until the relay restarts";
            if (message != null && !message.Held)
            {
                message.Held = true;
                Damaged = true;
                _log.Write(LogLevel.Error, "spool: " + text);
            }

            return new ContentUnreadableException(text, e);
        }
    }
}

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
    public sealed class Spool : IMessageStore
    {
        private const string NameSuffix = ".SPL";

        /// <summary>Longest reply text kept per recipient (RFC 5321 §4.5.3.1.5 reply lines are 512 octets).</summary>
        private const int MaxReply = 400;

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

        /// <summary>
        /// Queued messages, and finished ones whose envelope's segment is still pinned by another (their final
        /// states must then be carried forward). Room for twice the limit plus receipts in flight at a crash.
        /// </summary>
        private readonly QueuedMessage[] _messages;
        private int _messageCount;
        private int[] _segments = new int[16];
        private long[] _segmentLength = new long[16];
        private bool[] _segmentKept = new bool[16];
        private int _segmentCount;
        private IStoreFile _active;
        private int _activeNumber = -1;
        private bool _dirty;
        private IStoreFile _reader;
        private int _readerNumber = -1;
        private int _nextSegment = 1;
        private uint _sequence = 1;
        private long _nextId = 1;

        /// <summary>Opens the spool and recovers it (see <see cref="DroppedBytes"/>); read-only never writes or deletes.</summary>
        public Spool(IFileStore store, ILog log, IClock clock, int pageSize, int segmentSize, long sizeLimit, int messageLimit, bool readOnly)
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
            _messages = new QueuedMessage[(messageLimit * 2) + 16];
            lock (_lock)
            {
                Recover();
            }
        }

        /// <summary>The spool as configured: queue_size_limit, spool_page_size, spool_segment_size, spool_index_limit.</summary>
        public static Spool Open(MainConfig config, IFileStore store, ILog log, IClock clock, bool readOnly)
        {
            return new Spool(store, log, clock, config.GetCount(Parameters.SpoolPageSize), config.GetCount(Parameters.SpoolSegmentSize),
                config.GetSize(Parameters.QueueSizeLimit), config.GetCount(Parameters.SpoolIndexLimit), readOnly);
        }

        /// <summary>Bytes recovery found invalid (torn, corrupt, unreadable version) and ignored.</summary>
        public long DroppedBytes { get; private set; }

        /// <summary>Messages recovery dropped: uncommitted ones (an interrupted receipt) and damaged ones.</summary>
        public int DroppedMessages { get; private set; }

        /// <summary>Whether recovery found anything but clean records and interrupted receipts.</summary>
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

        /// <summary>A sink for one session; its page-sized buffer is its only allocation.</summary>
        public IMessageSink CreateSink()
        {
            return new SpoolSink(this, _pageSize - Record.Overhead);
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

                int length = ReadHeader(message.EnvelopeSegment, message.EnvelopeOffset);
                var payload = new byte[length];
                ReadFully(message.EnvelopeSegment, message.EnvelopeOffset + Record.HeaderSize, payload, 0, length);
                return EnvelopeCodec.Read(payload, length, into);
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
                if (message == null || recipient < 0 || recipient >= message.RecipientCount || message.StateSegment[recipient] < 0)
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
        /// id or recipient is unknown, the recipient's state is already final, or the store failed.
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
                catch (StoreException e)
                {
                    Abandon(e);
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
                    Collect();
                    return true;
                }
                catch (StoreException e)
                {
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
                catch (StoreException e)
                {
                    Abandon(e);
                }

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

        internal bool HasRoom(long declaredSize)
        {
            lock (_lock)
            {
                // RFC 1870 §6: a declared SIZE that does not fit now gets 452 at MAIL, before any data is sent.
                long size = declaredSize < 0 ? 0 : declaredSize;
                long footprint = size + (size / (_pageSize - Record.Overhead) + 1) * Record.Overhead + _pageSize;
                return !_readOnly && Unfinished() < _messageLimit && Used() + footprint <= _sizeLimit && footprint <= _store.FreeBytes;
            }
        }

        internal QueuedMessage OpenMessage(Envelope envelope)
        {
            lock (_lock)
            {
                int length = EnvelopeCodec.Measure(envelope);
                if (_readOnly || Unfinished() >= _messageLimit || !Fits(Record.Overhead + length) || Record.Overhead + length > _store.FreeBytes)
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

                    DateTime now;
                    var message = new QueuedMessage(_nextId, _clock.TryGetUtcNow(out now) ? now.Ticks : 0, envelope.RecipientCount);
                    int at = Begin(Record.Envelope, message.Id, length);
                    EnvelopeCodec.Write(envelope, message.ArrivalTicks, _writer);
                    End(length);
                    _nextId++;
                    message.EnvelopeSegment = _activeNumber;
                    message.EnvelopeOffset = at;
                    message.LastSegment = _activeNumber;
                    _messages[_messageCount++] = message;
                    return message;
                }
                catch (StoreException e)
                {
                    Abandon(e);
                    return null;
                }
            }
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
                catch (StoreException e)
                {
                    Abandon(e);
                }

                if (message.Broken)
                {
                    Drop(message);
                    return false;
                }

                message.Committed = true;
                message.LastSegment = _activeNumber;
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

        internal int ReadContent(SpoolReader reader, byte[] buffer, int offset, int count)
        {
            lock (_lock)
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
                    if (File(segment).Read(reader.Position, _header, 0, Record.HeaderSize) < Record.HeaderSize)
                    {
                        reader.Segment = NextSegmentAfter(segment);
                        reader.Position = 0;
                        if (reader.Segment < 0)
                        {
                            throw new StoreException("content of " + QueueId.Format(reader.Id) + " is incomplete");
                        }

                        continue;
                    }

                    int length = (int)Record.GetU32(_header, 4);
                    if (_header[2] == Record.Chunk && Record.GetU32(_header, 12) == (uint)reader.Id)
                    {
                        reader.ChunkLeft = length;
                        reader.ChunkPosition = reader.Position + Record.HeaderSize;
                    }

                    reader.Position += Record.Overhead + length;
                }
            }
        }

        // ---- recovery ----

        private void Recover()
        {
            string[] names = _store.List();
            for (int i = 0; i < names.Length; i++)
            {
                int number = ParseName(names[i]);
                if (number < 0 && names[i].Length > 0 && names[i][0] != '.')
                {
                    _log.Write(LogLevel.Warning, "spool: ignoring foreign file " + names[i]);
                }

                if (number < 0)
                {
                    // A host's lock file and other dot files are the platform's business.
                    continue;
                }

                AddSegment(number, 0);
            }

            for (int i = 0; i < _segmentCount; i++)
            {
                Scan(i);
                if (_segments[i] >= _nextSegment)
                {
                    _nextSegment = _segments[i] + 1;
                }
            }

            for (int i = _messageCount - 1; i >= 0; i--)
            {
                QueuedMessage message = _messages[i];
                if (!message.Committed)
                {
                    DroppedMessages++;
                    _log.Write(LogLevel.Info, "spool: dropped uncommitted message " + QueueId.Format(message.Id) + " (" + message.Size + " bytes)");
                    RemoveAt(i);
                }
            }

            _log.Write(LogLevel.Info, "spool: recovered " + Unfinished() + " queued messages from " + _segmentCount + " segments (" + Used() + " bytes)");
            if (!_readOnly)
            {
                try
                {
                    Collect();
                }
                catch (StoreException e)
                {
                    Abandon(e);
                }
            }
        }

        /// <summary>Reads one segment's records, verifying each; the first invalid one ends the segment (a torn tail).</summary>
        private void Scan(int index)
        {
            int number = _segments[index];
            string name = NameOf(number);
            IStoreFile file = _store.Open(name);
            try
            {
                long length = file.Length;
                _segmentLength[index] = length;
                long position = 0;
                uint lastSequence = 0;
                string problem = null;
                while (position < length)
                {
                    problem = ScanRecord(file, number, position, length, lastSequence);
                    if (problem != null)
                    {
                        break;
                    }

                    lastSequence = Record.GetU32(_header, 8);
                    position += Record.Overhead + Record.GetU32(_header, 4);
                }

                if (problem != null)
                {
                    Damaged = true;
                    DroppedBytes += length - position;
                    _log.Write(LogLevel.Warning, "spool: " + name + ": dropped " + (length - position) + " bytes from offset " + position + ": " + problem);
                }
            }
            finally
            {
                file.Close();
            }
        }

        /// <summary>Checks the record at <paramref name="position"/> and applies it to the index; returns why it is invalid, or null.</summary>
        private string ScanRecord(IStoreFile file, int number, long position, long length, uint lastSequence)
        {
            if (length - position < Record.Overhead)
            {
                return "torn record";
            }

            if (file.Read(position, _header, 0, Record.HeaderSize) < Record.HeaderSize)
            {
                return "short read";
            }

            if (_header[0] != Record.Magic0 || _header[1] != Record.Magic1)
            {
                return "bad magic";
            }

            int type = _header[2];
            long payload = Record.GetU32(_header, 4);
            uint sequence = Record.GetU32(_header, 8);
            long id = Record.GetU32(_header, 12);
            if (!Record.IsKnownType(type) || _header[3] != 0)
            {
                return "unknown record type " + type;
            }

            if (payload > length - position - Record.Overhead)
            {
                return "torn record";
            }

            if (position == 0 ? type != Record.SegmentHeader : type == Record.SegmentHeader || sequence <= lastSequence)
            {
                return "record out of order";
            }

            // The CRC covers header and payload; the payload's first bytes (the fixed fields) are kept in _read.
            uint crc = Crc32.Update(Crc32.Initial, _header, 0, Record.HeaderSize);
            long done = 0;
            int fixedPart = 0;
            while (done < payload)
            {
                int want = payload - done < _read.Length - fixedPart ? (int)(payload - done) : _read.Length - fixedPart;
                int n = file.Read(position + Record.HeaderSize + done, _read, fixedPart, want);
                if (n <= 0)
                {
                    return "short read";
                }

                crc = Crc32.Update(crc, _read, fixedPart, n);
                done += n;
                if (fixedPart == 0)
                {
                    fixedPart = n < 32 ? n : 32;
                }
            }

            if (file.Read(position + Record.HeaderSize + payload, _trailer, 0, Record.TrailerSize) < Record.TrailerSize || Record.GetU32(_trailer, 0) != Crc32.Final(crc))
            {
                return "CRC mismatch";
            }

            if (type == Record.SegmentHeader)
            {
                int version = payload >= Record.SegmentHeaderPayload ? Record.GetU16(_read, 0) : -1;
                if (version != Record.FormatVersion)
                {
                    _segmentKept[IndexOfSegment(number)] = true;
                    return "format version " + version + " is not " + Record.FormatVersion + " (segment kept, not read)";
                }

                if (Record.GetU32(_read, 4) != (uint)number)
                {
                    return "segment header names segment " + Record.GetU32(_read, 4);
                }
            }

            if (sequence >= _sequence)
            {
                _sequence = sequence + 1;
            }

            if (id >= _nextId)
            {
                _nextId = id + 1;
            }

            Apply(type, id, number, (int)position, payload, fixedPart);
            return null;
        }

        private void Apply(int type, long id, int segment, int position, long payload, int fixedPart)
        {
            QueuedMessage message = Find(id);
            if (type == Record.Envelope)
            {
                if (message == null && fixedPart >= EnvelopeCodec.FixedSize && _messageCount < _messages.Length)
                {
                    message = new QueuedMessage(id, Record.GetI64(_read, 0), Record.GetU16(_read, 16));
                    message.EnvelopeSegment = segment;
                    message.EnvelopeOffset = position;
                    message.LastSegment = segment;
                    _messages[_messageCount++] = message;
                }
                else if (message == null)
                {
                    Damaged = true;
                    _log.Write(LogLevel.Error, "spool: index full (spool_index_limit), message " + QueueId.Format(id) + " not loaded");
                }
            }
            else if (message == null)
            {
                return;
            }
            else if (type == Record.Chunk && !message.Committed)
            {
                message.Size += payload;
                message.Chunks++;
                message.LastSegment = segment;
            }
            else if (type == Record.Commit && !message.Committed && fixedPart >= Record.CommitPayload)
            {
                if (Record.GetI64(_read, 0) == message.Size && Record.GetU32(_read, 8) == (uint)message.Chunks)
                {
                    message.Committed = true;
                    message.LastSegment = segment;
                }
                else
                {
                    // A finished message's chunks may have gone with a recycled segment; anything else is damage.
                    RemoveAt(IndexOf(message));
                    _log.Write(LogLevel.Debug, "spool: message " + QueueId.Format(id) + " incomplete; dropped");
                }
            }
            else if (type == Record.Abort && !message.Committed)
            {
                RemoveAt(IndexOf(message));
            }
            else if (type == Record.State && message.Committed && fixedPart >= Record.StateFixedPayload)
            {
                int recipient = Record.GetU16(_read, 0);
                if (recipient < message.RecipientCount && !QueuedMessage.IsFinal(message.State(recipient)))
                {
                    message.Apply(recipient, (RecipientState)_read[2], _read[3], Record.GetI64(_read, 4), segment, position);
                }
            }
        }

        // ---- writing ----

        private bool WriteChunk(QueuedMessage message, byte[] buffer, int count)
        {
            if (message.Broken || !Fits(Record.Overhead + count))
            {
                return false;
            }

            try
            {
                Begin(Record.Chunk, message.Id, count);
                _writer.Put(buffer, 0, count);
                End(count);
                message.Size += count;
                message.Chunks++;
                message.LastSegment = _activeNumber;
                return !message.Broken;
            }
            catch (StoreException e)
            {
                Abandon(e);
                return false;
            }
        }

        /// <summary>Starts a record in the active segment, rotating when it would overflow; returns the record's offset.</summary>
        private int Begin(int type, long id, int payload)
        {
            if (_readOnly)
            {
                throw new InvalidOperationException("the spool was opened read-only");
            }

            long active = _active == null ? 0 : _segmentLength[IndexOfSegment(_activeNumber)];
            if (_active != null && active > Record.Overhead + Record.SegmentHeaderPayload && active + Record.Overhead + payload > _segmentSize)
            {
                SyncActive();
                _active.Close();
                _active = null;
            }

            if (_active == null)
            {
                StartSegment();
            }

            int index = IndexOfSegment(_activeNumber);
            int at = (int)_segmentLength[index];
            _writer.Begin(_active, type, payload, _sequence++, id);
            _dirty = true;
            return at;
        }

        private void End(int payload)
        {
            _writer.End();
            _segmentLength[IndexOfSegment(_activeNumber)] += Record.Overhead + payload;
        }

        private void StartSegment()
        {
            int number = _nextSegment++;
            _active = _store.Create(NameOf(number));
            _activeNumber = number;
            AddSegment(number, 0);
            _writer.Begin(_active, Record.SegmentHeader, Record.SegmentHeaderPayload, _sequence++, 0);
            _writer.PutU16(Record.FormatVersion);
            _writer.PutU16(0);
            _writer.PutU32((uint)number);
            End(Record.SegmentHeaderPayload);
            _dirty = true;
        }

        private void SyncActive()
        {
            if (_active != null && _dirty)
            {
                _active.Sync();
                _dirty = false;
            }
        }

        /// <summary>
        /// After a failed write or sync nobody knows what the active segment holds: it gets no more records, and
        /// every open message with records in it fails (its session answers 452), so no commit can rest on lost bytes.
        /// </summary>
        private void Abandon(StoreException e)
        {
            _log.Write(LogLevel.Error, "spool: " + e.Message);
            if (_active == null)
            {
                return;
            }

            for (int i = 0; i < _messageCount; i++)
            {
                if (!_messages[i].Committed && _messages[i].EnvelopeSegment <= _activeNumber)
                {
                    _messages[i].Broken = true;
                }
            }

            try
            {
                _active.Close();
            }
            catch (StoreException)
            {
                // Already reported; the segment is closed as far as we are concerned.
            }

            _active = null;
        }

        /// <summary>Re-appends a recipient's latest state record (optionally due now) so an older segment can go.</summary>
        private void CopyState(QueuedMessage message, int recipient, bool dueNow)
        {
            int length = ReadStateRecord(message, recipient);
            if (dueNow)
            {
                Record.PutI64(_read, Record.HeaderSize + 4, 0);
            }

            int at = Begin(Record.State, message.Id, length);
            _writer.Put(_read, Record.HeaderSize, length);
            End(length);
            message.MoveState(recipient, _activeNumber, at, dueNow);
        }

        /// <summary>
        /// Recycles every segment no unfinished message's content lies in. State records there that still matter
        /// (their message's envelope lives on in another segment) are first copied forward and synced, so no
        /// recipient's state regresses. A segment with an unreadable format version is never touched.
        /// </summary>
        private void Collect()
        {
            for (int i = 0; i < _segmentCount; i++)
            {
                int number = _segments[i];
                if (_segmentKept[i] || IsPinned(number))
                {
                    continue;
                }

                if (NeedsCopy(number))
                {
                    // The active segment stays until it rotates: copying its records forward would only move them into itself.
                    if (number == _activeNumber && _active != null)
                    {
                        continue;
                    }

                    for (int m = 0; m < _messageCount; m++)
                    {
                        QueuedMessage message = _messages[m];
                        for (int r = 0; message.EnvelopeSegment != number && r < message.RecipientCount; r++)
                        {
                            if (message.StateSegment[r] == number)
                            {
                                CopyState(message, r, false);
                            }
                        }
                    }

                    SyncActive();
                }

                DeleteSegment(i);
                i--;
            }
        }

        /// <summary>Whether the segment holds the latest state record of a message whose envelope lies elsewhere.</summary>
        private bool NeedsCopy(int number)
        {
            for (int m = 0; m < _messageCount; m++)
            {
                QueuedMessage message = _messages[m];
                for (int r = 0; message.EnvelopeSegment != number && r < message.RecipientCount; r++)
                {
                    if (message.StateSegment[r] == number)
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private bool IsPinned(int number)
        {
            for (int m = 0; m < _messageCount; m++)
            {
                if (_messages[m].Pins(number))
                {
                    return true;
                }
            }

            return false;
        }

        private void DeleteSegment(int index)
        {
            int number = _segments[index];
            if (number == _activeNumber && _active != null)
            {
                _active.Close();
                _active = null;
                _dirty = false;
            }

            if (number == _readerNumber)
            {
                _reader.Close();
                _reader = null;
                _readerNumber = -1;
            }

            _store.Delete(NameOf(number));
            for (int m = _messageCount - 1; m >= 0; m--)
            {
                if (_messages[m].EnvelopeSegment == number)
                {
                    RemoveAt(m);
                }
            }

            _segmentCount--;
            Array.Copy(_segments, index + 1, _segments, index, _segmentCount - index);
            Array.Copy(_segmentLength, index + 1, _segmentLength, index, _segmentCount - index);
            Array.Copy(_segmentKept, index + 1, _segmentKept, index, _segmentCount - index);
        }

        /// <summary>An uncommitted message leaves the index; its records are garbage until their segment is recycled.</summary>
        private void Drop(QueuedMessage message)
        {
            int index = IndexOf(message);
            if (index < 0)
            {
                return;
            }

            RemoveAt(index);
            if (message.Broken || _active == null)
            {
                return;
            }

            try
            {
                Begin(Record.Abort, message.Id, 0);
                End(0);
                Collect();
            }
            catch (StoreException e)
            {
                Abandon(e);
            }
        }

        // ---- reading ----

        /// <summary>Reads the record header at the position into _header; returns the payload length.</summary>
        private int ReadHeader(int segment, int position)
        {
            ReadFully(segment, position, _header, 0, Record.HeaderSize);
            return (int)Record.GetU32(_header, 4);
        }

        /// <summary>The recipient's latest state record, whole, into _read; returns its payload length.</summary>
        private int ReadStateRecord(QueuedMessage message, int recipient)
        {
            int segment = message.StateSegment[recipient];
            int position = message.StateOffset[recipient];
            int length = ReadHeader(segment, position);
            if (length > _read.Length - Record.Overhead)
            {
                throw new StoreException("state record of " + QueueId.Format(message.Id) + " is larger than a page");
            }

            ReadFully(segment, position, _read, 0, Record.HeaderSize + length);
            return length;
        }

        private void ReadFully(int segment, long position, byte[] buffer, int offset, int count)
        {
            IStoreFile file = File(segment);
            while (count > 0)
            {
                int n = file.Read(position, buffer, offset, count);
                if (n <= 0)
                {
                    throw new StoreException("segment " + NameOf(segment) + " ends before offset " + (position + count));
                }

                position += n;
                offset += n;
                count -= n;
            }
        }

        /// <summary>The open handle of a segment: the active one, or the one reader handle (one open file at a time suits a board).</summary>
        private IStoreFile File(int segment)
        {
            if (segment == _activeNumber && _active != null)
            {
                return _active;
            }

            if (segment != _readerNumber)
            {
                if (_reader != null)
                {
                    _reader.Close();
                    _reader = null;
                    _readerNumber = -1;
                }

                _reader = _store.Open(NameOf(segment));
                _readerNumber = segment;
            }

            return _reader;
        }

        private int NextSegmentAfter(int number)
        {
            for (int i = 0; i < _segmentCount; i++)
            {
                if (_segments[i] > number)
                {
                    return _segments[i];
                }
            }

            return -1;
        }

        // ---- bookkeeping ----

        private static bool IsQueued(QueuedMessage message)
        {
            return message.Committed && !message.IsFinished;
        }

        private bool Fits(long bytes)
        {
            return Used() + bytes <= _sizeLimit;
        }

        private long Used()
        {
            long used = 0;
            for (int i = 0; i < _segmentCount; i++)
            {
                used += _segmentLength[i];
            }

            return used;
        }

        private int Unfinished()
        {
            int count = 0;
            for (int i = 0; i < _messageCount; i++)
            {
                if (!_messages[i].Committed || !_messages[i].IsFinished)
                {
                    count++;
                }
            }

            return count;
        }

        private QueuedMessage Find(long id)
        {
            for (int i = 0; i < _messageCount; i++)
            {
                if (_messages[i].Id == id)
                {
                    return _messages[i];
                }
            }

            return null;
        }

        private int IndexOf(QueuedMessage message)
        {
            for (int i = 0; i < _messageCount; i++)
            {
                if (_messages[i] == message)
                {
                    return i;
                }
            }

            return -1;
        }

        private void RemoveAt(int index)
        {
            _messageCount--;
            Array.Copy(_messages, index + 1, _messages, index, _messageCount - index);
            _messages[_messageCount] = null;
        }

        /// <summary>Keeps the segment table sorted by number; the table grows by doubling (segments are few).</summary>
        private void AddSegment(int number, long length)
        {
            if (_segmentCount == _segments.Length)
            {
                _segments = Grow(_segments);
                var lengths = new long[_segmentLength.Length * 2];
                Array.Copy(_segmentLength, lengths, _segmentCount);
                _segmentLength = lengths;
                var kept = new bool[_segmentKept.Length * 2];
                Array.Copy(_segmentKept, kept, _segmentCount);
                _segmentKept = kept;
            }

            int at = _segmentCount;
            while (at > 0 && _segments[at - 1] > number)
            {
                _segments[at] = _segments[at - 1];
                _segmentLength[at] = _segmentLength[at - 1];
                _segmentKept[at] = _segmentKept[at - 1];
                at--;
            }

            _segments[at] = number;
            _segmentLength[at] = length;
            _segmentKept[at] = false;
            _segmentCount++;
        }

        private static int[] Grow(int[] table)
        {
            var grown = new int[table.Length * 2];
            Array.Copy(table, grown, table.Length);
            return grown;
        }

        private int IndexOfSegment(int number)
        {
            for (int i = 0; i < _segmentCount; i++)
            {
                if (_segments[i] == number)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>Segment names are 8.3-safe: "S" and seven hex digits, ".SPL".</summary>
        public static string NameOf(int number)
        {
            const string Hex = "0123456789ABCDEF";
            var name = new char[12];
            name[0] = 'S';
            for (int i = 7; i >= 1; i--)
            {
                name[i] = Hex[number & 0xF];
                number >>= 4;
            }

            name[8] = '.';
            name[9] = 'S';
            name[10] = 'P';
            name[11] = 'L';
            return new string(name);
        }

        private static int ParseName(string name)
        {
            if (name.Length != 12 || name[0] != 'S' || name.Substring(8) != NameSuffix)
            {
                return -1;
            }

            int number = 0;
            for (int i = 1; i < 8; i++)
            {
                char c = name[i];
                int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (digit < 0)
                {
                    return -1;
                }

                number = (number << 4) | digit;
            }

            return number;
        }
    }
}

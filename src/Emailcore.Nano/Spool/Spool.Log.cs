using System;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Spool
{
    /// <summary>The log itself: appending records, rotating and recycling segments, reading at offsets, the index tables.</summary>
    public sealed partial class Spool
    {
        // ---- writing ----

        private bool WriteChunk(QueuedMessage message, byte[] buffer, int count)
        {
            if (message.Broken || !Fits(Record.Overhead + count) || !HasFree(Record.Overhead + count, message.Reserve))
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

        /// <summary>
        /// A write that did not complete: the store failed, or the heap ran out in the middle of it (the platform's
        /// file write allocates too). Both are handled alike by <see cref="Abandon"/>; anything else is a bug and propagates.
        /// </summary>
        private static bool IsWriteFailure(Exception e)
        {
            return e is StoreException || e is OutOfMemoryException;
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
            int index = IndexOfSegment(_activeNumber);
            _segmentLength[index] += Record.Overhead + payload;
            _segmentValid[index] = _segmentLength[index];
        }

        private void StartSegment()
        {
            // Everything that allocates comes before the file exists: an OutOfMemoryException changes nothing.
            ReserveSegmentSlot();
            string name = NameOf(_nextSegment);
            int number = _nextSegment++;
            _active = _store.Create(name);
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
        /// every open message with records in it fails (its session answers 452), so no commit can rest on lost
        /// bytes. What was appended before the failure is synced if the store still can; if it cannot, the next
        /// <see cref="Sync"/> says false, because state records it was to make durable may be gone.
        /// </summary>
        private void Abandon(Exception e)
        {
            try
            {
                _log.Write(LogLevel.Error, "spool: " + (e is OutOfMemoryException ? "out of memory while writing" : e.Message));
            }
            catch (OutOfMemoryException)
            {
                // No heap for the log line; closing the segment below matters more.
            }

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
                SyncActive();
            }
            catch (StoreException)
            {
                _lostUnsynced = true;
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
            _dirty = false;
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
                            if (message.StateSegment(r) == number)
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
                    if (message.StateSegment(r) == number)
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
            Array.Copy(_segmentValid, index + 1, _segmentValid, index, _segmentCount - index);
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
            catch (Exception e)
            {
                if (!IsWriteFailure(e))
                {
                    throw;
                }

                Abandon(e);
            }
        }

        // ---- reading ----

        /// <summary>
        /// Reads the record header at the position into _header; returns the payload length, taken unsigned and
        /// checked to end within the segment's valid records (a medium that changed since recovery is caught here).
        /// </summary>
        private long ReadHeader(int segment, long position)
        {
            long valid = ValidEnd(segment);
            if (position < 0 || position + Record.Overhead > valid)
            {
                throw new StoreException("offset " + position.ToString() + " of " + NameOf(segment) + " is outside its " + valid.ToString() + " valid bytes");
            }

            ReadFully(segment, position, _header, 0, Record.HeaderSize);
            long length = Record.GetU32(_header, 4);
            if (_header[0] != Record.Magic0 || _header[1] != Record.Magic1 || length > valid - position - Record.Overhead)
            {
                throw new StoreException("the record at " + NameOf(segment) + ":" + position.ToString() + " is damaged");
            }

            return length;
        }

        /// <summary>Where the segment's valid records end; 0 for a segment not in the table.</summary>
        private long ValidEnd(int segment)
        {
            int index = IndexOfSegment(segment);
            return index < 0 ? 0 : _segmentValid[index];
        }

        /// <summary>The recipient's latest state record, whole, into _read; returns its payload length.</summary>
        private int ReadStateRecord(QueuedMessage message, int recipient)
        {
            int segment = message.StateSegment(recipient);
            int position = message.StateOffset(recipient);
            long length = ReadHeader(segment, position);
            if (length > _read.Length - Record.Overhead)
            {
                throw new StoreException("state record of " + QueueId.Format(message.Id) + " is larger than a page");
            }

            ReadFully(segment, position, _read, 0, Record.HeaderSize + (int)length);
            return (int)length;
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

        /// <summary>Whether a record of this size stays within queue_size_limit, with the header of the segment it may have to start.</summary>
        private bool Fits(long bytes)
        {
            long header = _active == null ? Record.Overhead + Record.SegmentHeaderPayload : 0;
            return Used() + header + bytes <= _sizeLimit;
        }

        /// <summary>
        /// Whether the medium has room for the bytes; new mail must also leave queue_minfree free (Postfix's queue_minfree),
        /// which state records, the copies Collect makes and notifications (<paramref name="reserve"/>) may use.
        /// </summary>
        private bool HasFree(long bytes, bool reserve)
        {
            return bytes + (reserve ? 0 : _minFree) <= _store.FreeBytes;
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
            ReserveSegmentSlot();
            int at = _segmentCount;
            while (at > 0 && _segments[at - 1] > number)
            {
                _segments[at] = _segments[at - 1];
                _segmentLength[at] = _segmentLength[at - 1];
                _segmentValid[at] = _segmentValid[at - 1];
                _segmentKept[at] = _segmentKept[at - 1];
                at--;
            }

            _segments[at] = number;
            _segmentLength[at] = length;
            _segmentValid[at] = length;
            _segmentKept[at] = false;
            _segmentCount++;
        }

        /// <summary>Room for one more segment; all three tables are allocated before any is replaced, so an OutOfMemoryException leaves them as they were.</summary>
        private void ReserveSegmentSlot()
        {
            if (_segmentCount < _segments.Length)
            {
                return;
            }

            int[] numbers = Grow(_segments);
            var lengths = new long[_segmentLength.Length * 2];
            var valid = new long[_segmentValid.Length * 2];
            var kept = new bool[_segmentKept.Length * 2];
            Array.Copy(_segmentLength, lengths, _segmentCount);
            Array.Copy(_segmentValid, valid, _segmentCount);
            Array.Copy(_segmentKept, kept, _segmentCount);
            _segments = numbers;
            _segmentLength = lengths;
            _segmentValid = valid;
            _segmentKept = kept;
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

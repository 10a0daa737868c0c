using System;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Spool
{
    /// <summary>Recovery at start: read every segment, verify every record, rebuild the index (docs/spool-format.md).</summary>
    public sealed partial class Spool
    {
        private const string TornRecord = "torn record (an interrupted write)";

        private void Recover()
        {
            string[] names = _store.List();
            for (int i = 0; i < names.Length; i++)
            {
                int number = ParseName(names[i]);
                if (number < 0 && names[i].Length > 0 && names[i][0] != '.' && !QueueIdCounter.Owns(names[i]))
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

            // Never below an id a segment still names: a spool from before the counter files, or one whose counter was lost.
            long reserved = _ids.Load(names);
            if (reserved > _nextId)
            {
                _nextId = reserved;
            }

            _idLimit = _nextId;
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
                catch (Exception e)
                {
                    if (!IsWriteFailure(e))
                    {
                        throw;
                    }

                    Abandon(e);
                }
            }
        }

        /// <summary>Reads one segment's records, verifying each; the first invalid one ends the segment (a torn tail).</summary>
        private void Scan(int index)
        {
            int number = _segments[index];
            string name = NameOf(number);
            IStoreFile file;
            try
            {
                file = _store.Open(name);
            }
            catch (StoreException e)
            {
                // Unreadable is not empty: keep it for a person to look at, and never reuse its number.
                Damaged = true;
                _segmentKept[index] = true;
                _log.Write(LogLevel.Error, "spool: " + name + ": " + e.Message + " (segment kept, not read)");
                return;
            }

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

                _segmentValid[index] = position;
                if (problem != null)
                {
                    // A record cut short at the end of the file is a write interrupted by a crash: expected, not
                    // damage. Anything else (a bad CRC, bad magic, disorder) means the medium returned other bytes.
                    bool interrupted = problem == TornRecord;
                    Damaged |= !interrupted;
                    DroppedBytes += length - position;
                    _log.Write(interrupted ? LogLevel.Info : LogLevel.Warning, "spool: " + name + ": dropped " + (length - position) + " bytes from offset " + position + ": " + problem);
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
                return TornRecord;
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
                return TornRecord;
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
    }
}

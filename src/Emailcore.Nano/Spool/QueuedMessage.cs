using System;

namespace Emailcore.Nano.Spool
{
    /// <summary>
    /// One message in the spool's index. <see cref="Spool.Messages"/> hands out copies, so a caller may keep and
    /// read one without the spool's lock. Per recipient it holds the state, the attempts so far, the next attempt
    /// time and where the last state record lies (the reply text stays on the store: <see cref="Spool.LastReply"/>).
    /// <para>Compact by design: on nanoFramework every field and every array costs a 12-byte heap block or more,
    /// so all of it lives in one byte array (<see cref="FixedBytes"/> plus <see cref="RecipientBytes"/> per
    /// recipient): about 110 bytes of managed heap for a one-recipient message on a board (docs/spool-format.md).</para>
    /// </summary>
    public sealed class QueuedMessage
    {
        // Layout of _data: id, arrival ticks, size (8 each), chunks, envelope segment, envelope offset, last segment
        // (4 each), flags (1); then per recipient: state (1), attempts (1), next attempt ticks (8), state record
        // segment (4) and offset (4).
        private const int IdAt = 0;
        private const int ArrivalAt = 8;
        private const int SizeAt = 16;
        private const int ChunksAt = 24;
        private const int EnvelopeSegmentAt = 28;
        private const int EnvelopeOffsetAt = 32;
        private const int LastSegmentAt = 36;
        private const int FlagsAt = 40;
        private const int FixedBytes = 41;
        private const int RecipientBytes = 18;
        private const int CommittedFlag = 1;
        private const int BrokenFlag = 2;
        private const int ReserveFlag = 4;

        private readonly byte[] _data;

        internal QueuedMessage(long id, long arrivalTicks, int recipients)
        {
            _data = new byte[FixedBytes + (recipients * RecipientBytes)];
            Record.PutI64(_data, IdAt, id);
            Record.PutI64(_data, ArrivalAt, arrivalTicks);
            for (int i = 0; i < recipients; i++)
            {
                SetI32(At(i) + 10, -1);
            }
        }

        private QueuedMessage(byte[] data)
        {
            _data = data;
        }

        public long Id
        {
            get { return Record.GetI64(_data, IdAt); }
        }

        /// <summary>UTC ticks of arrival; 0 when the clock was not yet set (a board before SNTP).</summary>
        public long ArrivalTicks
        {
            get { return Record.GetI64(_data, ArrivalAt); }
        }

        /// <summary>Content bytes as received (after dot-unstuffing).</summary>
        public long Size
        {
            get { return Record.GetI64(_data, SizeAt); }
            internal set { Record.PutI64(_data, SizeAt, value); }
        }

        public int RecipientCount
        {
            get { return (_data.Length - FixedBytes) / RecipientBytes; }
        }

        /// <summary>True when no recipient is pending or deferred: nothing more will be tried.</summary>
        public bool IsFinished
        {
            get
            {
                for (int i = 0; i < RecipientCount; i++)
                {
                    if (!IsFinal(State(i)))
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        internal bool Committed
        {
            get { return (_data[FlagsAt] & CommittedFlag) != 0; }
            set { SetFlag(CommittedFlag, value); }
        }

        internal bool Broken
        {
            get { return (_data[FlagsAt] & BrokenFlag) != 0; }
            set { SetFlag(BrokenFlag, value); }
        }

        /// <summary>A notification, which may write into the space queue_minfree holds back from new mail.</summary>
        internal bool Reserve
        {
            get { return (_data[FlagsAt] & ReserveFlag) != 0; }
            set { SetFlag(ReserveFlag, value); }
        }

        internal int Chunks
        {
            get { return GetI32(ChunksAt); }
            set { SetI32(ChunksAt, value); }
        }

        internal int EnvelopeSegment
        {
            get { return GetI32(EnvelopeSegmentAt); }
            set { SetI32(EnvelopeSegmentAt, value); }
        }

        internal int EnvelopeOffset
        {
            get { return GetI32(EnvelopeOffsetAt); }
            set { SetI32(EnvelopeOffsetAt, value); }
        }

        internal int LastSegment
        {
            get { return GetI32(LastSegmentAt); }
            set { SetI32(LastSegmentAt, value); }
        }

        public RecipientState State(int recipient)
        {
            return (RecipientState)_data[At(recipient)];
        }

        /// <summary>Delivery attempts recorded for the recipient (delivered, failed and deferred each count one).</summary>
        public int Attempts(int recipient)
        {
            return _data[At(recipient) + 1];
        }

        /// <summary>UTC ticks before which a deferred recipient is not tried again; 0: due now.</summary>
        public long NextAttemptTicks(int recipient)
        {
            return Record.GetI64(_data, At(recipient) + 2);
        }

        /// <summary>Segment of the recipient's last state record; -1 when it has none.</summary>
        internal int StateSegment(int recipient)
        {
            return GetI32(At(recipient) + 10);
        }

        internal int StateOffset(int recipient)
        {
            return GetI32(At(recipient) + 14);
        }

        /// <summary>
        /// True when the message's records could not be read (<see cref="ContentUnreadableException"/>): it is not due
        /// again until the relay restarts.
        /// </summary>
        public bool Held { get; internal set; }

        /// <summary>Whether any recipient is pending or deferred and due at <paramref name="nowTicks"/>; never while held.</summary>
        public bool IsDue(long nowTicks)
        {
            if (Held)
            {
                return false;
            }

            for (int i = 0; i < RecipientCount; i++)
            {
                if (!IsFinal(State(i)) && NextAttemptTicks(i) <= nowTicks)
                {
                    return true;
                }
            }

            return false;
        }

        public static bool IsFinal(RecipientState state)
        {
            return state == RecipientState.Delivered || state == RecipientState.Failed || state == RecipientState.Removed;
        }

        internal void Apply(int recipient, RecipientState state, int attempts, long nextAttemptTicks, int segment, int offset)
        {
            int at = At(recipient);
            _data[at] = (byte)state;
            _data[at + 1] = (byte)attempts;
            Record.PutI64(_data, at + 2, nextAttemptTicks);
            SetI32(at + 10, segment);
            SetI32(at + 14, offset);
        }

        internal void MoveState(int recipient, int segment, int offset, bool dueNow)
        {
            int at = At(recipient);
            SetI32(at + 10, segment);
            SetI32(at + 14, offset);
            if (dueNow)
            {
                Record.PutI64(_data, at + 2, 0);
            }
        }

        internal QueuedMessage Copy()
        {
            var data = new byte[_data.Length];
            Array.Copy(_data, data, data.Length);
            var copy = new QueuedMessage(data);
            copy.Held = Held;
            return copy;
        }

        /// <summary>Whether the message's content records may lie in <paramref name="segment"/>, so it must stay.</summary>
        internal bool Pins(int segment)
        {
            if (Committed && IsFinished)
            {
                return false;
            }

            return segment >= EnvelopeSegment && (!Committed || segment <= LastSegment);
        }

        private static int At(int recipient)
        {
            return FixedBytes + (recipient * RecipientBytes);
        }

        private int GetI32(int offset)
        {
            return (int)Record.GetU32(_data, offset);
        }

        private void SetI32(int offset, int value)
        {
            Record.PutU32(_data, offset, (uint)value);
        }

        private void SetFlag(int flag, bool on)
        {
            _data[FlagsAt] = (byte)(on ? _data[FlagsAt] | flag : _data[FlagsAt] & ~flag);
        }
    }
}

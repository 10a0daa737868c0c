using System;

namespace Emailcore.Nano.Spool
{
    /// <summary>
    /// One message in the spool's index. <see cref="Spool.Messages"/> hands out copies, so a caller may keep and
    /// read one without the spool's lock. Per recipient it holds the state, the attempts so far, the next attempt
    /// time and where the last state record lies (the reply text stays on the store: <see cref="Spool.LastReply"/>).
    /// Index cost: about 150 bytes per message plus 18 bytes per recipient (docs/spool-format.md).
    /// </summary>
    public sealed class QueuedMessage
    {
        private readonly byte[] _state;
        private readonly byte[] _attempts;
        private readonly long[] _nextAttempt;

        internal QueuedMessage(long id, long arrivalTicks, int recipients)
        {
            Id = id;
            ArrivalTicks = arrivalTicks;
            _state = new byte[recipients];
            _attempts = new byte[recipients];
            _nextAttempt = new long[recipients];
            StateSegment = new int[recipients];
            StateOffset = new int[recipients];
            for (int i = 0; i < recipients; i++)
            {
                StateSegment[i] = -1;
            }
        }

        public long Id { get; }

        /// <summary>UTC ticks of arrival; 0 when the clock was not yet set (a board before SNTP).</summary>
        public long ArrivalTicks { get; }

        /// <summary>Content bytes as received (after dot-unstuffing).</summary>
        public long Size { get; internal set; }

        public int RecipientCount
        {
            get { return _state.Length; }
        }

        /// <summary>True when no recipient is pending or deferred: nothing more will be tried.</summary>
        public bool IsFinished
        {
            get
            {
                for (int i = 0; i < _state.Length; i++)
                {
                    if (!IsFinal((RecipientState)_state[i]))
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        internal bool Committed;
        internal bool Broken;
        internal int Chunks;
        internal int EnvelopeSegment;
        internal int EnvelopeOffset;
        internal int LastSegment;
        internal readonly int[] StateSegment;
        internal readonly int[] StateOffset;

        public RecipientState State(int recipient)
        {
            return (RecipientState)_state[recipient];
        }

        /// <summary>Delivery attempts recorded for the recipient (delivered, failed and deferred each count one).</summary>
        public int Attempts(int recipient)
        {
            return _attempts[recipient];
        }

        /// <summary>UTC ticks before which a deferred recipient is not tried again; 0: due now.</summary>
        public long NextAttemptTicks(int recipient)
        {
            return _nextAttempt[recipient];
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

            for (int i = 0; i < _state.Length; i++)
            {
                if (!IsFinal((RecipientState)_state[i]) && _nextAttempt[i] <= nowTicks)
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
            _state[recipient] = (byte)state;
            _attempts[recipient] = (byte)attempts;
            _nextAttempt[recipient] = nextAttemptTicks;
            StateSegment[recipient] = segment;
            StateOffset[recipient] = offset;
        }

        internal void MoveState(int recipient, int segment, int offset, bool dueNow)
        {
            StateSegment[recipient] = segment;
            StateOffset[recipient] = offset;
            if (dueNow)
            {
                _nextAttempt[recipient] = 0;
            }
        }

        internal QueuedMessage Copy()
        {
            var copy = new QueuedMessage(Id, ArrivalTicks, _state.Length);
            copy.Size = Size;
            for (int i = 0; i < _state.Length; i++)
            {
                copy.Apply(i, (RecipientState)_state[i], _attempts[i], _nextAttempt[i], StateSegment[i], StateOffset[i]);
            }

            copy.Committed = Committed;
            copy.Held = Held;
            copy.Chunks = Chunks;
            copy.EnvelopeSegment = EnvelopeSegment;
            copy.EnvelopeOffset = EnvelopeOffset;
            copy.LastSegment = LastSegment;
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
    }
}

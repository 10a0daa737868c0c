namespace Emailcore.Nano.Platform
{
    /// <summary>At most a fixed number of holders at once (0: no limit), taken without waiting; thread-safe.</summary>
    public sealed class Quota
    {
        private readonly object _gate = new object();
        private readonly int _limit;
        private int _held;

        public Quota(int limit)
        {
            _limit = limit;
        }

        public int Held
        {
            get { return _held; }
        }

        /// <summary>Takes one; false when <see cref="Held"/> has reached the limit. Pair with <see cref="Release"/>.</summary>
        public bool TryTake()
        {
            lock (_gate)
            {
                if (_limit > 0 && _held >= _limit)
                {
                    return false;
                }

                _held++;
                return true;
            }
        }

        public void Release()
        {
            lock (_gate)
            {
                _held--;
            }
        }
    }
}

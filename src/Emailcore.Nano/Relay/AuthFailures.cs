namespace Emailcore.Nano.Relay
{
    /// <summary>
    /// Next hops whose server answered 535 to our credentials, shared by every queue runner, so that each wrong
    /// password is reported once and no runner logs in with it again until the relay restarts.
    /// </summary>
    public sealed class AuthFailures
    {
        private readonly object _gate = new object();
        private string _keys = "|";

        public bool Contains(string key)
        {
            lock (_gate)
            {
                return _keys.IndexOf("|" + key + "|") >= 0;
            }
        }

        /// <summary>Adds the hop; false when another runner already had.</summary>
        public bool Add(string key)
        {
            lock (_gate)
            {
                if (_keys.IndexOf("|" + key + "|") >= 0)
                {
                    return false;
                }

                _keys += key + "|";
                return true;
            }
        }
    }
}

using Emailcore.Nano.Config;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Relay
{
    /// <summary>
    /// Which addresses and ports are ours: the smtpd_listen endpoints. A wildcard listener (0.0.0.0, ::) counts as
    /// every loopback address and the unspecified one; other addresses of the machine's interfaces are ours only
    /// when a listener names them.
    /// </summary>
    public sealed class OwnListeners
    {
        private readonly Endpoint[] _endpoints;

        public OwnListeners(ListenSpec[] listeners)
        {
            _endpoints = new Endpoint[listeners.Length];
            for (int i = 0; i < listeners.Length; i++)
            {
                _endpoints[i] = listeners[i].Endpoint;
            }
        }

        /// <summary>No listener: a delivery-only program.</summary>
        public static readonly OwnListeners None = new OwnListeners(new ListenSpec[0]);

        /// <summary>Whether an address literal names one of our interfaces (any port), so mail to it is ours to deliver.</summary>
        public bool IsOurAddress(Endpoint address)
        {
            for (int i = 0; i < _endpoints.Length; i++)
            {
                if (Covers(_endpoints[i], address))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Whether a next hop's address and port is one of our listeners: connecting there is mail to ourselves.</summary>
        public bool IsOurListener(Endpoint endpoint)
        {
            for (int i = 0; i < _endpoints.Length; i++)
            {
                if (_endpoints[i].Port == endpoint.Port && Covers(_endpoints[i], endpoint))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool Covers(Endpoint listener, Endpoint address)
        {
            if (listener.SameAddress(address))
            {
                return true;
            }

            return IsUnspecified(listener) && (address.IsLoopback || IsUnspecified(address));
        }

        private static bool IsUnspecified(Endpoint address)
        {
            for (int i = 0; i < address.AddressLength; i++)
            {
                if (address.AddressByte(i) != 0)
                {
                    return false;
                }
            }

            return true;
        }
    }
}

using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Smtp.Server
{
    /// <summary>Whether a name's address records hold the client's address.</summary>
    public enum AddressMatch
    {
        Match,

        /// <summary>The name has no record of the client's address family holding it, or does not exist.</summary>
        NoMatch,

        /// <summary>DNS did not answer within the time given (timeout, SERVFAIL): try again later.</summary>
        Failed,
    }

    /// <summary>
    /// The DNS a session asks about its client (Relay/ClientLookup answers with the resolver). One per session slot:
    /// it is used by one thread at a time, and each call returns within the milliseconds it is given.
    /// </summary>
    public interface IClientLookup
    {
        /// <summary>
        /// Forward-confirmed reverse DNS: writes into <paramref name="into"/> (255 bytes) the first PTR name of the client's
        /// address whose own address records hold that address, and returns its length; 0 when none does.
        /// </summary>
        int ConfirmedName(Endpoint client, byte[] into, int timeoutMilliseconds);

        /// <summary>Whether <paramref name="name"/> has an A (IPv4 client) or AAAA (IPv6 client) record equal to the client's address.</summary>
        AddressMatch Matches(string name, Endpoint client, int timeoutMilliseconds);
    }
}

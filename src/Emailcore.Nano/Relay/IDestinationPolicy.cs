using Emailcore.Nano.Config;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Relay
{
    /// <summary>
    /// The TLS a destination itself demands (RFC 5321bis A/S §6.2 "required encryption"): MTA-STS (RFC 8461) and
    /// DANE (RFC 7672), over the static levels of smtp_tls_security_level and smtp_tls_policy_maps. The host implements
    /// it (Emailcore.Nano.Host/Policy); a board has none, and its main.cf cannot ask for either. Delivery runners call it
    /// from their own threads at once.
    /// </summary>
    public interface IDestinationPolicy
    {
        /// <summary>Before the servers of <paramref name="hop"/> are tried: the lookups that hold for the whole destination.</summary>
        void Begin(NextHop hop, TlsLevel configured);

        /// <summary>
        /// How to treat server <paramref name="host"/> of the hop <see cref="Begin"/> saw, which the static policy would try at
        /// <paramref name="level"/> verifying <paramref name="verifyName"/> (both updated here, never left at dane). Returns null
        /// to connect, or the deferral's text ("454 4.7.5 ...") when the server must not be tried. <paramref name="dane"/>: TLSA
        /// records the handshake must match (then the level never falls back to plaintext); <paramref name="testingDomain"/>:
        /// an MTA-STS testing policy's domain, whose TLS failure at <paramref name="level"/> is logged and the server tried again
        /// at its static level.
        /// </summary>
        string Decide(string host, ref TlsLevel level, ref string verifyName, out TlsaRecords dane, out string testingDomain);
    }
}

using Emailcore.Nano.Config;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Host
{
    /// <summary>Where the host's appliance gets its parts; the one place the message store is chosen.</summary>
    public static class HostAppliance
    {
        /// <summary>The store accepted mail goes to: the spool under queue_directory, recovered on open.</summary>
        public static Nano.Spool.Spool CreateStore(MainConfig config, ILog log)
        {
            return HostSpool.Open(config, log, readOnly: false);
        }
    }
}

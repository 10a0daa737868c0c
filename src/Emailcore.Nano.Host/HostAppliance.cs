using Emailcore.Nano.Config;
using Emailcore.Nano.Mail;

namespace Emailcore.Nano.Host
{
    /// <summary>Where the host's appliance gets its parts; the one place the message store is chosen.</summary>
    public static class HostAppliance
    {
        /// <summary>The store accepted mail goes to: durable files under queue_directory (the spool replaces it here).</summary>
        public static IMessageStore CreateStore(MainConfig config)
        {
            return new FileMessageStore(config.GetString(Parameters.QueueDirectory), config.GetSize(Parameters.QueueSizeLimit));
        }
    }
}

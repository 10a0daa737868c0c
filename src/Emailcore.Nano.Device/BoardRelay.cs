using Emailcore.Nano.Alerts;
using Emailcore.Nano.Config;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Relay;

namespace Emailcore.Nano.Device
{
    /// <summary>
    /// The relay as the board runs it once its platform is up: the spool, the appliance (server and queue runner)
    /// and the alert service built from main.cf, started, and the boot alert queued. The firmware's Program and the
    /// emulator's (tests/Emailcore.Nano.Emulator) both start it, so the emulator runs the board's own sequence.
    /// </summary>
    public sealed class BoardRelay
    {
        private BoardRelay(Nano.Spool.Spool spool, Appliance appliance, AlertService alerts)
        {
            Spool = spool;
            Appliance = appliance;
            Alerts = alerts;
        }

        public Nano.Spool.Spool Spool { get; }

        public Appliance Appliance { get; }

        public AlertService Alerts { get; }

        /// <summary>
        /// Throws <see cref="ConfigException"/> for settings the appliance refuses, and <see cref="ConnectionException"/>
        /// when a listener cannot bind.
        /// </summary>
        public static BoardRelay Start(MainConfig config, IFileSystem files, INetwork network, IClock clock, IRandom random, ILog log)
        {
            var spool = Nano.Spool.Spool.Open(config, files.OpenStore(config.GetString(Parameters.QueueDirectory)), log, clock, false);
            // A board delivers by its TLS levels only: its SslStream exposes no peer certificate for DANE, MTA-STS is the host's.
            var appliance = new Appliance(config, spool, network, files, clock, random, log, null);
            var relay = new BoardRelay(spool, appliance, AlertService.Create(config, spool, clock, random, log));
            appliance.Start();
            log.Write(LogLevel.Info, "emailcore: relay running");
            relay.Alerts.Send("boot", "Emailcore.Nano started", "The relay is running and its spool holds " + spool.Messages().Length.ToString() + " message(s).");
            return relay;
        }
    }
}

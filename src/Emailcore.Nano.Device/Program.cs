using System;
using System.Threading;
using Emailcore.Nano.Alerts;
using Emailcore.Nano.Config;
using Emailcore.Nano.Device.Platform;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Relay;

namespace Emailcore.Nano.Device
{
    /// <summary>
    /// The firmware's application: reads I:\main.cf (board defaults), brings the network up, opens the spool on
    /// the internal flash, and runs the same server and queue runner as `emailcore relay`. The main loop watches
    /// the link and reconnects when it drops; mail waits in the spool meanwhile.
    /// </summary>
    public static class Program
    {
        public const string Root = "I:\\";

        /// <summary>Device code sends alerts through this: Program.Alerts.Send(new Alert(key, subject, text)).</summary>
        public static AlertService Alerts { get; private set; }
        public const string ConfigFile = "main.cf";

        private const int WatchMilliseconds = 10000;

        public static void Main()
        {
            var log = new DebugLog();
            var clock = new DeviceClock();
            var random = new DeviceRandom();
            var files = new FlashFileSystem(Root);
            MainConfig config;
            DeviceTls tls;
            try
            {
                byte[] content = ConfigFiles.Read(files, ConfigFile);
                config = MainConfig.Parse(content, content.Length, ConfigFile, true);
                tls = DeviceTls.From(config, files);
            }
            catch (ConfigException e)
            {
                Halt(log, e);
                return;
            }

            var link = new NetworkLink(log);
            link.Connect();
            if (!files.CanRename)
            {
                log.Write(LogLevel.Warning, "this firmware's file system has no atomic rename: local (Maildir) deliveries will be deferred");
            }

            var spool = Spool.Spool.Open(config, files.OpenStore(config.GetString(Parameters.QueueDirectory)), log, clock, false);
            Appliance appliance;
            try
            {
                appliance = new Appliance(config, spool, new DeviceNetwork(tls, random), files, clock, random, log, null);
                Alerts = AlertService.Create(config, spool, clock, random, log);
            }
            catch (ConfigException e)
            {
                Halt(log, e);
                return;
            }

            appliance.Start();
            log.Write(LogLevel.Info, "emailcore: relay running");
            Alerts.Send("boot", "Emailcore.Nano started", "The relay is running and its spool holds " + spool.Messages().Length.ToString() + " message(s).");
            while (true)
            {
                Thread.Sleep(WatchMilliseconds);
                if (!link.IsUp())
                {
                    log.Write(LogLevel.Warning, "network lost; reconnecting (mail stays queued)");
                    link.Connect();
                }
            }
        }

        /// <summary>A relay with a configuration it cannot use must not run on guesses: say why, and wait for a fix.</summary>
        private static void Halt(ILog log, ConfigException e)
        {
            log.Write(LogLevel.Error, e.Message + " (fix I:\\main.cf and reset the board)");
            Thread.Sleep(Timeout.Infinite);
        }
    }
}

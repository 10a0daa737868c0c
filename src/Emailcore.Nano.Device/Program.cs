using System;
using System.Threading;
using Emailcore.Nano.Alerts;
using Emailcore.Nano.Config;
using Emailcore.Nano.Device.Platform;
using Emailcore.Nano.Platform;

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

            BoardRelay relay;
            try
            {
                relay = BoardRelay.Start(config, files, new DeviceNetwork(tls, random), clock, random, log);
            }
            catch (ConfigException e)
            {
                Halt(log, e);
                return;
            }

            Alerts = relay.Alerts;
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

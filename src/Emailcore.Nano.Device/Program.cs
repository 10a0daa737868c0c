using System;
using System.Net.NetworkInformation;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using Emailcore.Nano.Alerts;
using Emailcore.Nano.Config;
using Emailcore.Nano.Device.Platform;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Relay;
using Emailcore.Nano.Text;
using nanoFramework.Networking;

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

        private const int NetworkWaitMilliseconds = 60000;
        private const int WatchMilliseconds = 10000;

        public static void Main()
        {
            var log = new DebugLog();
            var clock = new DeviceClock();
            var random = new DeviceRandom();
            var files = new FlashFileSystem(Root);
            MainConfig config;
            try
            {
                byte[] content = ConfigFiles.Read(files, ConfigFile);
                config = MainConfig.Parse(content, content.Length, ConfigFile, true);
            }
            catch (ConfigException e)
            {
                Halt(log, e);
                return;
            }

            while (!ConnectNetwork(log))
            {
                Thread.Sleep(WatchMilliseconds);
            }

            var network = new DeviceNetwork(LoadTls(config, files), random);
            var spool = Spool.Spool.Open(config, files.OpenStore(config.GetString(Parameters.QueueDirectory)), log, clock, false);
            Appliance appliance;
            try
            {
                appliance = new Appliance(config, spool, network, files, clock, random, log);
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
                if (!HasAddress())
                {
                    log.Write(LogLevel.Warning, "network lost; reconnecting (mail stays queued)");
                    ConnectNetwork(log);
                }
            }
        }

        /// <summary>A relay with a configuration it cannot use must not run on guesses: say why, and wait for a fix.</summary>
        private static void Halt(ILog log, ConfigException e)
        {
            log.Write(LogLevel.Error, e.Message + " (fix I:\\main.cf and reset the board)");
            Thread.Sleep(Timeout.Infinite);
        }

        /// <summary>Wi-Fi with the credentials stored on the device (nanoff --networkdeployment), else the Ethernet interface.</summary>
        private static bool ConnectNetwork(ILog log)
        {
            try
            {
                if (WifiNetworkHelper.Reconnect(false, 0, new CancellationTokenSource(NetworkWaitMilliseconds).Token))
                {
                    return true;
                }
            }
            catch (Exception e)
            {
                log.Write(LogLevel.Info, "no Wi-Fi: " + e.Message);
            }

            try
            {
                return NetworkHelper.SetupAndConnectNetwork(new CancellationTokenSource(NetworkWaitMilliseconds).Token, false);
            }
            catch (Exception e)
            {
                log.Write(LogLevel.Error, "no network: " + e.Message);
                return false;
            }
        }

        private static bool HasAddress()
        {
            NetworkInterface[] interfaces = NetworkInterface.GetAllNetworkInterfaces();
            for (int i = 0; i < interfaces.Length; i++)
            {
                string address = interfaces[i].IPv4Address;
                if (address != null && address.Length > 0 && address != "0.0.0.0")
                {
                    return true;
                }
            }

            return false;
        }

        private static DeviceTls LoadTls(MainConfig config, IFileSystem files)
        {
            string cert = config.GetString(Parameters.SmtpdTlsCertFile);
            string key = config.GetString(Parameters.SmtpdTlsKeyFile);
            string roots = config.GetString(Parameters.SmtpTlsCAfile);
            X509Certificate server = cert.Length > 0 && key.Length > 0 ? new X509Certificate2(Pem(files, cert), Pem(files, key), string.Empty) : null;
            X509Certificate trusted = roots.Length > 0 ? new X509Certificate(Pem(files, roots)) : null;
            return new DeviceTls(server, trusted, config.GetCount(Parameters.TlsSessionLimit));
        }

        private static string Pem(IFileSystem files, string path)
        {
            byte[] content = ConfigFiles.Read(files, path);
            return Utf8.GetString(content, 0, content.Length);
        }
    }
}

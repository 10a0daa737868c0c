using System;
using System.CommandLine;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Host.Policy;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Relay;
using Emailcore.Nano.Smtp.Server;

namespace Emailcore.Nano.Host.Commands
{
    /// <summary>`emailcore relay [--config FILE]`: the appliance in the foreground until Ctrl-C or SIGTERM; exit 75 when another process holds the spool.</summary>
    public static class RelayCommand
    {
        public static Command Create()
        {
            Option<FileInfo?> config = CommonOptions.Config;
            var relay = new Command("relay", "run the relay: accept mail on smtpd_listen until Ctrl-C or SIGTERM") { config };
            relay.SetAction(parse => Run(parse.GetValue(config)));
            return relay;
        }

        private static int Run(FileInfo? file)
        {
            var log = new ConsoleLog();

            // Before anything listens: a SIGTERM right after "listening on" must stop the relay gracefully, not kill it.
            using var stop = new ManualResetEventSlim();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stop.Set();
            };
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop.Set();
            });
            Appliance appliance;
            Nano.Spool.Spool spool;
            try
            {
                MainConfig config = ConfigLoader.Load(file?.FullName, false, file?.ToString());
                foreach (string warning in ConfigWarnings.Of(config))
                {
                    log.Write(LogLevel.Warning, warning);
                }

                spool = HostAppliance.CreateStore(config, log);
                var network = new HostNetwork(TlsSettings.From(config));
                var clock = new HostClock();
                var random = new HostRandom();
                appliance = new Appliance(config, spool, network, new HostFileSystem("."), clock, random, log, DestinationPolicy.From(config, network, random, clock, log));
                appliance.Start();
                for (int i = 0; i < appliance.Listeners.Length; i++)
                {
                    ListenMode mode = appliance.Listeners[i].Mode;
                    log.Write(LogLevel.Info, "listening on " + appliance.Server.LocalEndpoint(i) + (mode == ListenMode.Smtp ? "" : "/" + mode.ToString().ToLowerInvariant()));
                }
            }
            catch (SpoolInUseException e)
            {
                Console.Error.WriteLine("emailcore: " + e.Message);
                return CommonOptions.Temporary;
            }
            catch (Exception e) when (e is ConfigException or ConnectionException or StoreException or Nano.Dns.DnsException or IOException or System.Security.Cryptography.CryptographicException)
            {
                Console.Error.WriteLine("emailcore: " + e.Message);
                return 1;
            }

            stop.Wait();
            log.Write(LogLevel.Info, "stopping: no new connections");
            appliance.Stop();
            spool.Close();
            log.Write(LogLevel.Info, "stopped");
            return 0;
        }
    }
}

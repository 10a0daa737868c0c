using System;
using System.CommandLine;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Relay;
using Emailcore.Nano.Smtp.Server;

namespace Emailcore.Nano.Host.Commands
{
    /// <summary>`emailcore relay [--config FILE]`: the appliance in the foreground until Ctrl-C or SIGTERM.</summary>
    public static class RelayCommand
    {
        public static Command Create()
        {
            var config = new Option<FileInfo?>("--config") { Description = "main.cf-style configuration; without it the embedded defaults" };
            var relay = new Command("relay", "run the relay: accept mail on smtpd_listen until Ctrl-C or SIGTERM") { config };
            relay.SetAction(parse => Run(parse.GetValue(config)));
            return relay;
        }

        private static int Run(FileInfo? file)
        {
            var log = new ConsoleLog();
            SmtpServer server;
            Nano.Spool.Spool spool;
            QueueManager queue;
            int drain;
            try
            {
                MainConfig config = ConfigLoader.Load(file?.FullName, false, file?.ToString());
                ServerSettings settings = ServerSettings.From(config);
                string users = config.GetString(Parameters.SmtpdSaslUsers);
                if (settings.AuthEnabled && users.Length > 0)
                {
                    byte[] content = ReadFile(users);
                    settings.Users = SaslUsers.Parse(content, content.Length, users);
                    Array.Clear(content);
                }

                string[] listen = config.GetList(Parameters.SmtpdListen);
                var specs = new ListenSpec[listen.Length];
                for (int i = 0; i < listen.Length; i++)
                {
                    specs[i] = ListenSpec.Parse(listen[i])!;
                }

                string? problem = settings.Problem(Array.Exists(specs, s => s.Mode == ListenMode.Smtps));
                if (problem != null)
                {
                    throw new ConfigException(config.FileName, 0, problem);
                }

                spool = HostAppliance.CreateStore(config, log);
                var network = new HostNetwork(TlsSettings.From(config));
                var clock = new HostClock();
                queue = new QueueManager(config, spool, network, new HostFileSystem("."), clock, new HostRandom(), log);
                server = new SmtpServer(settings, specs, network, spool, clock, log);
                drain = config.GetMilliseconds(Parameters.SmtpdShutdownTimeout);
                server.Start();
                queue.Start();
                for (int i = 0; i < specs.Length; i++)
                {
                    log.Write(LogLevel.Info, "listening on " + server.LocalEndpoint(i) + (specs[i].Mode == ListenMode.Smtp ? "" : "/" + specs[i].Mode.ToString().ToLowerInvariant()));
                }
            }
            catch (Exception e) when (e is ConfigException or ConnectionException or StoreException or Nano.Dns.DnsException or IOException or System.Security.Cryptography.CryptographicException)
            {
                Console.Error.WriteLine("emailcore: " + e.Message);
                return 1;
            }

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
            stop.Wait();
            log.Write(LogLevel.Info, "stopping: no new connections");
            server.Stop();
            queue.Stop(drain);
            spool.Close();
            log.Write(LogLevel.Info, "stopped");
            return 0;
        }

        private static byte[] ReadFile(string path)
        {
            try
            {
                return File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigException(path, 0, "cannot read: " + e.Message);
            }
        }
    }
}

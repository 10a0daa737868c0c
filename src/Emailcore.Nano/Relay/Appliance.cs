using Emailcore.Nano.Config;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Server;

namespace Emailcore.Nano.Relay
{
    /// <summary>
    /// The whole relay built from main.cf, the same on the host and on a board: the SMTP server in front of the
    /// spool and the queue manager behind it. Settings that cannot work together are refused before anything starts.
    /// </summary>
    public sealed class Appliance
    {
        private readonly int _drainMilliseconds;

        /// <summary>
        /// Throws <see cref="ConfigException"/> for unusable settings or unreadable files they name. <paramref name="published"/>:
        /// the MTA-STS and DANE the host provides; null on a board.
        /// </summary>
        public Appliance(MainConfig config, Spool.Spool spool, INetwork network, IFileSystem files, IClock clock, IRandom random, ILog log, IDestinationPolicy published)
        {
            ServerSettings settings = ServerSettings.From(config);
            string users = config.GetString(Parameters.SmtpdSaslUsers);
            if (settings.AuthEnabled && users.Length > 0)
            {
                byte[] content = ConfigFiles.Read(files, users);
                settings.Users = SaslUsers.Parse(content, content.Length, users);

                // The hashes are in the parsed table now; the file's bytes are not kept around.
                System.Array.Clear(content, 0, content.Length);
            }

            Listeners = ListenSpec.ParseAll(config.GetList(Parameters.SmtpdListen));
            bool implicitTls = false;
            for (int i = 0; i < Listeners.Length; i++)
            {
                implicitTls |= Listeners[i].Mode == ListenMode.Smtps;
            }

            string problem = settings.Problem(implicitTls);
            if (problem != null)
            {
                throw new ConfigException(config.FileName, 0, problem);
            }

            Queue = new QueueManager(config, spool, network, files, clock, random, log, new OwnListeners(Listeners), published);
            Server = new SmtpServer(settings, Listeners, network, spool, clock, log, ClientLookup.ForSlots(config, settings, network, random, clock, log));
            _drainMilliseconds = config.GetMilliseconds(Parameters.SmtpdShutdownTimeout);
        }

        public SmtpServer Server { get; }

        public QueueManager Queue { get; }

        public ListenSpec[] Listeners { get; }

        /// <summary>Starts listening (throws <see cref="ConnectionException"/> when a listener cannot bind) and delivering.</summary>
        public void Start()
        {
            Server.Start();
            Queue.Start();
        }

        /// <summary>Stops accepting, lets sessions and the delivery in hand finish within smtpd_shutdown_timeout.</summary>
        public void Stop()
        {
            Server.Stop();
            Queue.Stop(_drainMilliseconds);
        }
    }
}

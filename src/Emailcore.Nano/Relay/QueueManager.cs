using System.Threading;
using Emailcore.Nano.Config;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Relay
{
    /// <summary>
    /// The delivery side of the appliance, built from main.cf: routing, aliases, local delivery, the SMTP client
    /// with its TLS policy and credentials, bounces, retries, and smtp_delivery_concurrency runner threads.
    /// Files named by the configuration (alias_maps, and maps given as a file) are read through the file system seam.
    /// </summary>
    public sealed class QueueManager
    {
        private readonly QueueRunner[] _runners;
        private readonly Thread[] _threads;

        /// <summary>
        /// Throws <see cref="ConfigException"/> when a referenced file or map is unusable; <paramref name="own"/>: where mail to us arrives;
        /// <paramref name="published"/>: MTA-STS and DANE, shared by the runners (null on a board).
        /// </summary>
        public QueueManager(MainConfig config, Spool.Spool spool, INetwork network, IFileSystem files, IClock clock, IRandom random, ILog log, OwnListeners own,
            IDestinationPolicy published)
        {
            string hostName = config.GetString(Parameters.Myhostname);
            string[] mydestination = config.GetList(Parameters.Mydestination);
            string localDomain = hostName.Length > 0 ? hostName : (mydestination.Length > 0 ? mydestination[0] : "localhost");
            string relayhost = config.GetString(Parameters.Relayhost);
            var router = new Router(mydestination, relayhost.Length > 0 ? NextHop.Parse(relayhost) : null,
                Map(config, Parameters.TransportMaps, files), Parameters.TransportMaps.Name, own);
            string aliasFile = config.GetString(Parameters.AliasMaps);
            Aliases aliases = null;
            if (aliasFile.Length > 0)
            {
                byte[] content = ConfigFiles.Read(files, aliasFile);
                aliases = Aliases.Parse(content, content.Length, aliasFile);
            }

            TlsPolicyTable policies = TlsPolicyTable.From(config, files);
            SaslPasswords passwords = SaslPasswords.Empty;
            string secrets = config.GetString(Parameters.SmtpSaslPasswordMaps);
            if (config.GetBool(Parameters.SmtpSaslAuthEnable) && secrets.Length > 0)
            {
                if (DomainMap.IsFileReference(secrets))
                {
                    byte[] content = ConfigFiles.Read(files, secrets);
                    passwords = SaslPasswords.Parse(content, content.Length, secrets);
                }
                else
                {
                    passwords = SaslPasswords.ParseInline(secrets, config.FileName, 0);
                }
            }

            TlsLevel level;
            TlsLevels.TryParse(config.GetString(Parameters.SmtpTlsSecurityLevel), out level);
            var backoff = new Backoff(config.GetSeconds(Parameters.MinimalBackoffTime), config.GetSeconds(Parameters.MaximalBackoffTime),
                config.GetSeconds(Parameters.MaximalQueueLifetime), config.GetSeconds(Parameters.BounceQueueLifetime));
            ClientSettings clientSettings = ClientSettings.From(config);
            int recipients = config.GetCount(Parameters.SmtpdRecipientLimit);
            int envelopeBytes = config.GetCount(Parameters.SmtpdEnvelopeBufferSize);
            int partitions = config.GetCount(Parameters.SmtpDeliveryConcurrency);
            if (partitions < 1)
            {
                partitions = 1;
            }

            var authFailures = new AuthFailures();
            _runners = new QueueRunner[partitions];
            _threads = new Thread[partitions];
            for (int i = 0; i < partitions; i++)
            {
                var mailRouter = new MailRouter(DnsResolver.Create(config, network, random, clock, log), random, InetProtocols.Ipv6(config));
                var smtp = new SmtpDelivery(mailRouter, new SmtpClient(network, clock, clientSettings, recipients), level, policies,
                    config.GetBool(Parameters.SmtpTlsWrappermode), passwords, authFailures, own, log, clock, published);
                AliasExpansion expansion = aliases == null ? null : new AliasExpansion(aliases, router, localDomain, recipients);
                // One copy buffer per runner: its thread copies one message at a time (to a Maildir, a DSN or the spool),
                // and on a 79 KiB board each kilobyte counts (boards/*/budget.txt).
                var scratch = new byte[1024];
                _runners[i] = new QueueRunner(spool, router, expansion,
                    new MaildirDelivery(files, config.GetString(Parameters.HomeMailbox), localDomain, scratch), smtp,
                    new DeliveryStatusNotification(localDomain, random, config.GetSize(Parameters.BounceSizeLimit), scratch,
                        config.GetString(Parameters.DoubleBounceSender), config.GetString(Parameters.TwoBounceNoticeRecipient)),
                    backoff, log, clock, config.GetCount(Parameters.HopcountLimit), envelopeBytes, recipients, scratch, i, partitions);
                _threads[i] = new Thread(_runners[i].Run);
            }
        }

        public void Start()
        {
            for (int i = 0; i < _threads.Length; i++)
            {
                _threads[i].Start();
            }
        }

        /// <summary>Asks every runner to stop after the delivery in hand, and waits up to <paramref name="timeoutMilliseconds"/> for each.</summary>
        public void Stop(int timeoutMilliseconds)
        {
            for (int i = 0; i < _runners.Length; i++)
            {
                _runners[i].Stop();
            }

            for (int i = 0; i < _threads.Length; i++)
            {
                _threads[i].Join(timeoutMilliseconds);
            }
        }

        /// <summary>A per-domain map given inline in main.cf or as a file name.</summary>
        private static DomainMap Map(MainConfig config, Parameter parameter, IFileSystem files)
        {
            string value = config.GetString(parameter);
            if (value.Length == 0)
            {
                return DomainMap.Empty;
            }

            if (!DomainMap.IsFileReference(value))
            {
                return DomainMap.ParseInline(value, config.FileName, 0);
            }

            byte[] content = ConfigFiles.Read(files, value);
            return DomainMap.Parse(content, content.Length, value);
        }
    }
}

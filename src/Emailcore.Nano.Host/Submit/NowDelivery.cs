using System;
using Emailcore.Nano.Config;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Host.Policy;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Relay;
using Emailcore.Nano.Smtp.Client;

namespace Emailcore.Nano.Host.Submit
{
    /// <summary>
    /// `emailcore send --now`: delivers from this process, as the relay would (transport_maps, relayhost or MX, the
    /// TLS policy and credentials of main.cf, the core's SMTP client), and waits for each recipient's reply. Nothing is
    /// lost: recipients deferred now, and local ones (the relay's Maildir is the relay's), are queued through
    /// <see cref="Submission"/> afterwards; those refused for good are not queued (the caller has the reply).
    /// </summary>
    public static class NowDelivery
    {
        public static void Deliver(MainConfig config, Envelope envelope, IMessageSource content, DeliveryResult[] results, ILog log)
        {
            var files = new HostFileSystem(".");
            var network = new HostNetwork(TlsSettings.From(config));
            var clock = new HostClock();
            var random = new HostRandom();
            string relayhost = config.GetString(Parameters.Relayhost);
            // Not a listener itself: handing mail to the relay's own listener from here is a submission, not a loop.
            OwnListeners own = OwnListeners.None;
            var router = new Router(config.GetList(Parameters.Mydestination), relayhost.Length > 0 ? NextHop.Parse(relayhost) : null,
                Map(config, Parameters.TransportMaps, files), Parameters.TransportMaps.Name, own);
            TlsLevels.TryParse(config.GetString(Parameters.SmtpTlsSecurityLevel), out TlsLevel level);
            var smtp = new SmtpDelivery(new MailRouter(DnsResolver.Create(config, network, random, clock, log), random, InetProtocols.Ipv6(config)),
                new SmtpClient(network, clock, ClientSettings.From(config), envelope.RecipientCount), level, TlsPolicyTable.From(config, files),
                config.GetBool(Parameters.SmtpTlsWrappermode), Passwords(config, files), new AuthFailures(), own, log, clock, DestinationPolicy.From(config, network, random, clock, log));

            int count = envelope.RecipientCount;
            var done = new bool[count];
            var batch = new int[count];
            for (int r = 0; r < count; r++)
            {
                results[r].Set(0, null, null, null);
            }

            for (int r = 0; r < count; r++)
            {
                Route route = router.Resolve(envelope.Recipient(r));
                done[r] |= route.IsLocal;
                if (done[r])
                {
                    continue;
                }

                int n = 0;
                for (int s = r; s < count; s++)
                {
                    if (!done[s] && (s == r || router.Resolve(envelope.Recipient(s)).Key == route.Key))
                    {
                        batch[n++] = s;
                        done[s] = true;
                    }
                }

                content.Rewind();
                smtp.Deliver(route, envelope, batch, n, content, results);
            }

            smtp.EndPass();
            QueueTheRest(config, envelope, content, results, log);
        }

        /// <summary>Queues the recipients not delivered now (deferred, or local) as one message; their results say so.</summary>
        private static void QueueTheRest(MainConfig config, Envelope envelope, IMessageSource content, DeliveryResult[] results, ILog log)
        {
            var rest = new Envelope(envelope.Arena.Length, envelope.RecipientCount);
            rest.SetReversePath(envelope.Arena, envelope.ReversePathOffset, envelope.ReversePathLength);
            rest.Body = envelope.Body;
            rest.SmtpUtf8 = envelope.SmtpUtf8;
            var index = new int[envelope.RecipientCount];
            for (int r = 0; r < envelope.RecipientCount; r++)
            {
                if (results[r].Code == 0 || (!results[r].Delivered && !results[r].Permanent))
                {
                    index[rest.RecipientCount] = r;
                    rest.AddRecipient(envelope.Arena, envelope.RecipientOffset(r), envelope.RecipientLength(r), 0, null, 0, 0);
                }
            }

            if (rest.RecipientCount == 0)
            {
                return;
            }

            var queued = new DeliveryResult[rest.RecipientCount];
            for (int i = 0; i < queued.Length; i++)
            {
                queued[i] = new DeliveryResult();
            }

            Submission.Submit(config, rest, content, queued, log);
            for (int i = 0; i < queued.Length; i++)
            {
                DeliveryResult now = results[index[i]];
                DeliveryResult later = queued[i];
                if (now.Code == 0)
                {
                    // A local recipient: what the relay's queue said is its whole outcome.
                    now.Set(later.Code, later.Status, later.Text, later.Relay);
                }
                else if (later.Delivered)
                {
                    now.Set(now.Code, now.Status, now.Text + "; " + later.Text, now.Relay);
                }
                else
                {
                    now.Set(now.Code, now.Status, now.Text + "; and it could not be queued: " + later.Text, now.Relay);
                }
            }
        }

        private static DomainMap Map(MainConfig config, Parameter parameter, IFileSystem files)
        {
            string value = config.GetString(parameter);
            if (value.Length == 0)
            {
                return DomainMap.Empty;
            }

            if (!DomainMap.IsFileReference(value))
            {
                return DomainMap.ParseInline(value, config.FileName, config.LineOf(parameter));
            }

            byte[] content = ConfigFiles.Read(files, value);
            return DomainMap.Parse(content, content.Length, value);
        }

        private static SaslPasswords Passwords(MainConfig config, IFileSystem files)
        {
            string secrets = config.GetString(Parameters.SmtpSaslPasswordMaps);
            if (!config.GetBool(Parameters.SmtpSaslAuthEnable) || secrets.Length == 0)
            {
                return SaslPasswords.Empty;
            }

            if (!DomainMap.IsFileReference(secrets))
            {
                return SaslPasswords.ParseInline(secrets, config.FileName, config.LineOf(Parameters.SmtpSaslPasswordMaps));
            }

            byte[] content = ConfigFiles.Read(files, secrets);
            return SaslPasswords.Parse(content, content.Length, secrets);
        }
    }
}

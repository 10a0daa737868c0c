using System;
using System.IO;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Client;

namespace Emailcore.Nano.Host.Submit
{
    /// <summary>
    /// Hands a message to the relay its configuration describes, the way `emailcore send` and `emailcore sendmail`
    /// queue: when no relay runs on the spool, straight into the spool (queued for its next start, synced before we
    /// say so); when one runs (it holds the spool's lock), over SMTP to its own listener on loopback, so the relay
    /// stays the spool's only writer. Either way one <see cref="DeliveryResult"/> per recipient says what happened.
    /// </summary>
    public static class Submission
    {
        public static void Submit(MainConfig config, Envelope envelope, IMessageSource content, DeliveryResult[] results, ILog log)
        {
            long limit = config.GetSize(Parameters.MessageSizeLimit);
            if (limit > 0 && content.Length > limit)
            {
                // RFC 1870 §6: the limit the relay's server would apply, applied here too for the spool path.
                SetAll(envelope, results, 552, "5.3.4", "552 5.3.4 message of " + content.Length + " bytes exceeds message_size_limit (" + limit + ")", "none");
                return;
            }

            Nano.Spool.Spool spool;
            try
            {
                spool = HostSpool.Open(config, log, readOnly: false);
            }
            catch (Exception e) when (e is SpoolInUseException or UnauthorizedAccessException or IOException)
            {
                ToListener(config, envelope, content, results, e is SpoolInUseException ? null : e.Message);
                return;
            }

            try
            {
                ToSpool(spool, HostSpool.Directory(config), envelope, content, results);
            }
            finally
            {
                spool.Close();
            }
        }

        private static void ToSpool(Nano.Spool.Spool spool, string directory, Envelope envelope, IMessageSource content, DeliveryResult[] results)
        {
            IMessageSink sink = spool.CreateSink();
            long id = sink.HasRoom(content.Length) ? sink.Open(envelope) : -1;
            bool written = id >= 0;
            var buffer = new byte[4096];
            content.Rewind();
            int n;
            while (written && (n = content.Read(buffer, 0, buffer.Length)) > 0)
            {
                written = sink.Write(buffer, 0, n);
            }

            if (!written || !sink.Commit())
            {
                sink.Abort();
                SetAll(envelope, results, 452, "4.3.1", "452 4.3.1 no room in the queue at " + directory, "none");
                return;
            }

            SetAll(envelope, results, 250, "2.0.0", "250 2.0.0 queued as " + QueueId.Format(id) + " in " + directory + "; the relay delivers it when it runs", "spool");
        }

        private static void ToListener(MainConfig config, Envelope envelope, IMessageSource content, DeliveryResult[] results, string? spoolProblem)
        {
            ListenSpec? listener = LocalListener(config);
            if (listener == null)
            {
                SetAll(envelope, results, 451, "4.3.0", "451 4.3.0 the relay listens on no address this program can reach", "none");
                return;
            }

            var client = new SmtpClient(new HostNetwork(TlsSettings.None), new HostClock(), ClientSettings.From(config), envelope.RecipientCount);
            var failure = new DeliveryResult();
            bool implicitTls = listener.Mode == ListenMode.Smtps;

            // Loopback to our own relay: TLS when it asks for it, never verified (there is no name to verify).
            if (!client.Open(listener.Endpoint, "localhost", "localhost", implicitTls ? TlsLevel.Encrypt : TlsLevel.May, implicitTls, null, null, failure))
            {
                string why = spoolProblem == null ? failure.Text : failure.Text + "; and the spool could not be opened: " + spoolProblem;
                SetAll(envelope, results, 451, "4.3.0", why, failure.Relay ?? "none");
                return;
            }

            var all = new int[envelope.RecipientCount];
            for (int i = 0; i < all.Length; i++)
            {
                all[i] = i;
                results[i].Set(0, null, null, null);
            }

            content.Rewind();
            client.Send(envelope, all, all.Length, content, results);
            client.Quit();
            for (int i = 0; i < all.Length; i++)
            {
                if (results[i].Code == 0)
                {
                    results[i].Set(451, "4.3.0", "451 4.3.0 the relay did not answer for this recipient", client.Relay);
                }
            }
        }

        /// <summary>The relay's first listener, with a wildcard address replaced by loopback.</summary>
        private static ListenSpec? LocalListener(MainConfig config)
        {
            string[] listen = config.GetList(Parameters.SmtpdListen);
            if (listen.Length == 0)
            {
                return null;
            }

            ListenSpec spec = ListenSpec.Parse(listen[0])!;
            bool any = true;
            for (int i = 0; i < spec.Endpoint.AddressLength; i++)
            {
                any &= spec.Endpoint.AddressByte(i) == 0;
            }

            if (any)
            {
                byte[] loopback = spec.Endpoint.IsIPv6 ? System.Net.IPAddress.IPv6Loopback.GetAddressBytes() : new byte[] { 127, 0, 0, 1 };
                spec.Endpoint.SetAddress(loopback, 0, loopback.Length);
            }

            return spec;
        }

        public static void SetAll(Envelope envelope, DeliveryResult[] results, int code, string status, string text, string relay)
        {
            for (int i = 0; i < envelope.RecipientCount; i++)
            {
                results[i].Set(code, status, text, relay);
            }
        }
    }
}

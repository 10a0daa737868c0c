using System.Text;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Client;

namespace Emailcore.Nano.Tests.Smtp.Client
{
    /// <summary>Builds clients, envelopes and result tables for the client tests.</summary>
    internal static class ClientFixture
    {
        // A loopback connect is never what these tests time; a short budget there only fails on a busy machine.
        private const int ConnectMilliseconds = 10_000;

        public static SmtpClient NewClient(int timeoutMilliseconds = 10_000, TlsSettings? tls = null, bool saslTlsOnly = true) =>
            new(new HostNetwork(tls ?? TlsSettings.None), new HostClock(), new ClientSettings
            {
                HeloName = "client.test.example",
                ConnectTimeout = System.Math.Max(timeoutMilliseconds, ConnectMilliseconds),
                HeloTimeout = timeoutMilliseconds,
                StartTlsTimeout = timeoutMilliseconds,
                MailTimeout = timeoutMilliseconds,
                RcptTimeout = timeoutMilliseconds,
                DataInitTimeout = timeoutMilliseconds,
                DataTransferTimeout = timeoutMilliseconds,
                DataDoneTimeout = timeoutMilliseconds,
                SaslTlsOnly = saslTlsOnly,
            }, 16);

        public static Endpoint Loopback(int port)
        {
            var endpoint = new Endpoint();
            Endpoint.TryParse("127.0.0.1", port, endpoint);
            endpoint.Port = port;
            return endpoint;
        }

        public static Envelope Envelope(string from, params string[] to)
        {
            var envelope = new Envelope(4096, 16);
            byte[] f = Encoding.UTF8.GetBytes(from);
            envelope.SetReversePath(f, 0, f.Length);
            foreach (string t in to)
            {
                byte[] b = Encoding.UTF8.GetBytes(t);
                envelope.AddRecipient(b, 0, b.Length, 0, null, 0, 0);
            }

            return envelope;
        }

        public static DeliveryResult[] Results(int count)
        {
            var results = new DeliveryResult[count];
            for (int i = 0; i < count; i++)
            {
                results[i] = new DeliveryResult();
            }

            return results;
        }

        public static int[] All(int count)
        {
            var indexes = new int[count];
            for (int i = 0; i < count; i++)
            {
                indexes[i] = i;
            }

            return indexes;
        }
    }
}

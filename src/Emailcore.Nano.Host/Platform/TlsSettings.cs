using System;
using System.IO;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Emailcore.Nano.Config;

namespace Emailcore.Nano.Host.Platform
{
    /// <summary>
    /// What the host's TLS needs from main.cf: the server certificate and key (smtpd_tls_cert_file,
    /// smtpd_tls_key_file) and the trusted roots for verification (smtp_tls_CAfile; empty: the system's).
    /// </summary>
    public sealed class TlsSettings
    {
        private readonly X509Certificate2Collection? _roots;

        public TlsSettings(X509Certificate2? serverCertificate, X509Certificate2Collection? roots)
        {
            ServerCertificate = serverCertificate;
            _roots = roots;
        }

        public static TlsSettings None { get; } = new(null, null);

        public X509Certificate2? ServerCertificate { get; }

        /// <summary>
        /// Reads the PEM files main.cf names; relative names are taken from <paramref name="directory"/> (null: the
        /// working directory, where `emailcore relay` reads them). A file that cannot be read or parsed is a
        /// <see cref="ConfigException"/> at the line that named it, as on a board (which parses the same files).
        /// </summary>
        public static TlsSettings From(MainConfig config, string? directory = null)
        {
            string cert = config.GetString(Parameters.SmtpdTlsCertFile);
            string key = config.GetString(Parameters.SmtpdTlsKeyFile);
            X509Certificate2? server = null;
            if (cert.Length > 0 && key.Length > 0)
            {
                server = Load(config, Parameters.SmtpdTlsCertFile, "a certificate and the private key in " + key + " (unencrypted)", () =>
                {
                    // Re-import so the key is usable by SslStream on every platform.
                    using var pem = X509Certificate2.CreateFromPemFile(PathOf(cert, directory), PathOf(key, directory));
                    return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
                });
            }

            string caFile = config.GetString(Parameters.SmtpTlsCAfile);
            X509Certificate2Collection? roots = null;
            if (caFile.Length > 0)
            {
                roots = Load(config, Parameters.SmtpTlsCAfile, "PEM root certificates", () =>
                {
                    var collection = new X509Certificate2Collection();
                    collection.ImportFromPemFile(PathOf(caFile, directory));
                    return collection.Count > 0 ? collection : throw new CryptographicException("no CERTIFICATE block in it");
                });
            }

            return new TlsSettings(server, roots);
        }

        private static T Load<T>(MainConfig config, Parameter parameter, string expected, Func<T> load)
        {
            try
            {
                return load();
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                throw new ConfigException(config.FileName, config.LineOf(parameter),
                    parameter.Name + ": " + config.GetString(parameter) + " does not hold " + expected + ": " + e.Message);
            }
        }

        private static string PathOf(string path, string? directory) => directory == null ? path : Path.Combine(directory, path);

        /// <summary>Chain to a trusted root and a matching host name; with smtp_tls_CAfile, only its roots count.</summary>
        public bool Verify(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (_roots == null || certificate == null)
            {
                return errors == SslPolicyErrors.None;
            }

            if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            {
                return false;
            }

            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain != null)
            {
                foreach (X509ChainElement element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            return custom.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
        }
    }
}

using System;
using System.Security.Cryptography.X509Certificates;
using Emailcore.Nano.Config;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Device.Platform
{
    /// <summary>
    /// The TLS material of the board, the server certificate (smtpd_tls_cert_file/key_file) and extra roots
    /// (smtp_tls_CAfile), and the count of open sessions: mbedTLS takes about 33 KB of native heap per session,
    /// so tls_session_limit (1 without PSRAM) refuses a handshake beyond it instead of failing in the firmware.
    /// </summary>
    public sealed class DeviceTls
    {
        private readonly Quota _sessions;

        public DeviceTls(X509Certificate serverCertificate, X509Certificate trustedRoots, int sessionLimit)
        {
            ServerCertificate = serverCertificate;
            TrustedRoots = trustedRoots;
            _sessions = new Quota(sessionLimit);
        }

        public X509Certificate ServerCertificate { get; }

        public X509Certificate TrustedRoots { get; }

        /// <summary>
        /// Parses the PEM files main.cf names (paths under I:\). The firmware's parser throws its own exceptions for
        /// a bad certificate or key, and a file too large for the managed heap throws OutOfMemoryException; each
        /// becomes a <see cref="ConfigException"/> naming the file, so the board halts with a readable line.
        /// `emailcore config check --board` parses the same files on the host before they are uploaded.
        /// </summary>
        public static DeviceTls From(MainConfig config, IFileSystem files)
        {
            string cert = config.GetString(Parameters.SmtpdTlsCertFile);
            string key = config.GetString(Parameters.SmtpdTlsKeyFile);
            string roots = config.GetString(Parameters.SmtpTlsCAfile);
            X509Certificate server = null;
            X509Certificate trusted = null;
            Parameter reading = Parameters.SmtpdTlsCertFile;
            try
            {
                if (cert.Length > 0 && key.Length > 0)
                {
                    byte[] certificate = Pem(files, cert);
                    reading = Parameters.SmtpdTlsKeyFile;
                    server = new X509Certificate2(certificate, Pem(files, key), string.Empty);
                }

                if (roots.Length > 0)
                {
                    reading = Parameters.SmtpTlsCAfile;
                    trusted = new X509Certificate(Pem(files, roots));
                }
            }
            catch (ConfigException)
            {
                throw;
            }
            catch (Exception e)
            {
                throw new ConfigException(config.FileName, config.LineOf(reading), reading.Name + ": " + config.GetString(reading) + " is not PEM the firmware can use: " + e.Message);
            }

            return new DeviceTls(server, trusted, config.GetCount(Parameters.TlsSessionLimit));
        }

        /// <summary>Claims a session slot; false when tls_session_limit sessions are open.</summary>
        public bool TryOpen()
        {
            return _sessions.TryTake();
        }

        public void Closed()
        {
            _sessions.Release();
        }

        /// <summary>
        /// The file's bytes and a NUL: mbedTLS parses a PEM buffer only with its terminator (System.Net's
        /// X509Certificate(string) adds it after re-encoding the text, which would cost two more copies on the heap).
        /// </summary>
        private static byte[] Pem(IFileSystem files, string path)
        {
            byte[] content = ConfigFiles.Read(files, path);
            var terminated = new byte[content.Length + 1];
            Array.Copy(content, terminated, content.Length);
            return terminated;
        }
    }
}

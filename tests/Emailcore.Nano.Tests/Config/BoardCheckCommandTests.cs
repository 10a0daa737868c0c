using System;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Config
{
    /// <summary>
    /// `emailcore config check --board` as tools/upload-config.sh runs it: main.cf and the files it names in one
    /// folder, as they will lie on the board's I:\. What the firmware would refuse at start is refused here first.
    /// </summary>
    public sealed class BoardCheckCommandTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "emailcore-board-" + Path.GetRandomFileName());

        public BoardCheckCommandTests()
        {
            Directory.CreateDirectory(_dir);
        }

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        [Fact]
        public void Ipv6ListenerIsRefusedWithFileAndLine()
        {
            RunResult run = Check("mynetworks = 192.168.1.0/24\nsmtpd_listen = 0.0.0.0:25 [::]:25\n");
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains(":2: smtpd_listen: \"[::]:25\" is an IPv6 address, but inet_protocols = ipv4 (a board's System.Net carries IPv4 only)", run.StandardError);
        }

        [Fact]
        public void VerifyWithoutACaFileIsRefusedWithFileAndLine()
        {
            RunResult run = Check("relayhost = [smtp.example.com]:587\nsmtp_tls_security_level = verify\n");
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains(":2: smtp_tls_security_level = verify needs smtp_tls_CAfile on a board: the firmware has no built-in root certificates", run.StandardError);
        }

        [Fact]
        public void PemFilesBesideMainCfAreParsed()
        {
            WriteCertificateAndKey("relay.pem", "relay.key");
            File.Copy(Path.Combine(_dir, "relay.pem"), Path.Combine(_dir, "roots.pem"));
            RunResult run = Check("smtpd_tls_cert_file = relay.pem\nsmtpd_tls_key_file = relay.key\nsmtp_tls_security_level = verify\nsmtp_tls_CAfile = roots.pem\n");
            Assert.True(run.ExitCode == 0, run.ToString());
        }

        [Fact]
        public void UnreadableOrBadPemFilesAreRefusedWithFileAndLine()
        {
            WriteCertificateAndKey("relay.pem", "relay.key");
            File.WriteAllText(Path.Combine(_dir, "garbage.pem"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
            File.WriteAllText(Path.Combine(_dir, "empty.pem"), "# roots go here\n");

            RunResult run = Check("# server\nsmtpd_tls_cert_file = garbage.pem\nsmtpd_tls_key_file = relay.key\n");
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains(":2: smtpd_tls_cert_file: garbage.pem does not hold a certificate and the private key in relay.key (unencrypted): ", run.StandardError);

            run = Check("smtpd_tls_cert_file = relay.pem\nsmtpd_tls_key_file = missing.key\n");
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains(":1: smtpd_tls_cert_file: relay.pem does not hold a certificate and the private key in missing.key (unencrypted): ", run.StandardError);

            run = Check("smtp_tls_CAfile = empty.pem\n");
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains(":1: smtp_tls_CAfile: empty.pem does not hold PEM root certificates: no CERTIFICATE block in it", run.StandardError);
        }

        private RunResult Check(string mainCf)
        {
            string file = Path.Combine(_dir, "main.cf");
            File.WriteAllText(file, mainCf);
            return Run.Emailcore("config", "check", "--board", file);
        }

        private void WriteCertificateAndKey(string certFile, string keyFile)
        {
            using RSA rsa = RSA.Create(2048);
            var request = new CertificateRequest("CN=relay.test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            File.WriteAllText(Path.Combine(_dir, certFile), certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(_dir, keyFile), rsa.ExportRSAPrivateKeyPem());
        }
    }
}

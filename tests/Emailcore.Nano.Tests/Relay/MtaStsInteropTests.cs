using System;
using System.IO;
using Emailcore.Nano.Host.Policy;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Tests.Dns;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Relay
{
    /// <summary>
    /// MTA-STS (RFC 8461) against real peers: dnsmasq serving the MX, A and _mta-sts TXT records of sts.test, Python's
    /// http.server with TLS serving the policy under a certificate from a test CA, and aiosmtpd offering STARTTLS as the
    /// MX host mx.sts.test (its self-signed certificate trusted only when the test puts it into smtp_tls_CAfile).
    /// </summary>
    public sealed class MtaStsInteropTests : IDisposable
    {
        private const string Domain = "sts.test";

        private readonly TestCa _ca = new();
        private readonly Aiosmtpd _mx = new(requireStartTls: false, dnsName: "mx.sts.test");
        private readonly HttpsPolicyServer _https;
        private readonly string _cache = Path.Combine(Path.GetTempPath(), "emailcore-stscache-" + Guid.NewGuid().ToString("N"));

        private readonly DnsmasqServer _dns = new(new[]
        {
            "--local=/sts.test/",
            "--mx-host=sts.test,mx.sts.test,10",
            "--host-record=mx.sts.test,127.0.0.1",
            "--host-record=mta-sts.sts.test,127.0.0.1",
            "--txt-record=_mta-sts.sts.test,v=STSv1; id=20261204T1900",
        });

        public MtaStsInteropTests()
        {
            (string certificate, string key) = _ca.Issue("mta-sts." + Domain);
            _https = new HttpsPolicyServer(certificate, key);
            Directory.CreateDirectory(_cache);
        }

        public void Dispose()
        {
            _dns.Dispose();
            _https.Dispose();
            _mx.Dispose();
            _ca.Dispose();
            Directory.Delete(_cache, recursive: true);
        }

        [Fact]
        public void EnforceWithoutAMatchingMxDefersAndNeverConnects()
        {
            _https.Policy = "version: STSv1\r\nmode: enforce\r\nmx: *.elsewhere.test\r\nmx: mail.sts.test\r\nmax_age: 86400\r\n";
            PolicyDelivery delivery = Delivery(trustMx: true);
            DeliveryResult result = delivery.Deliver(Domain, _cache);

            Assert.Equal(454, result.Code);
            Assert.True(result.Status == "4.7.5", result.Text);
            Assert.Contains("MTA-STS policy of sts.test (enforce) does not list MX host mx.sts.test", result.Text);
            Assert.Equal(0, delivery.SmtpConnects);
            Assert.Equal(string.Empty, _mx.Transport);
            Assert.Contains("not connecting to it", delivery.LogText);
            Assert.Equal("mta-sts.sts.test /.well-known/mta-sts.txt\n", _https.Requests);
        }

        [Fact]
        public void EnforceWithAMatchingMxDeliversOverVerifiedTls()
        {
            // RFC 8461 §4.1: "*.sts.test" covers mx.sts.test, one label deep.
            _https.Policy = "version: STSv1\nmode: enforce\nmx: *.sts.test\nmax_age: 86400\n";
            PolicyDelivery delivery = Delivery(trustMx: true);
            DeliveryResult result = delivery.Deliver(Domain, _cache);

            Assert.True(result.Code == 250, result.Text + "\n" + delivery.LogText);
            Assert.Equal("x@sts.test|tls", _mx.Transport.Trim());
        }

        [Fact]
        public void EnforceWithAMatchingMxWhoseCertificateIsNotTrustedDefers()
        {
            // The global level is may: only the policy asks for the verified certificate that fails here.
            _https.Policy = "version: STSv1\nmode: enforce\nmx: mx.sts.test\nmax_age: 86400\n";
            PolicyDelivery delivery = Delivery(trustMx: false);
            DeliveryResult result = delivery.Deliver(Domain, _cache);

            Assert.Equal(454, result.Code);
            Assert.True(result.Status == "4.7.5", result.Text);
            Assert.Equal(string.Empty, _mx.Transport);
        }

        [Fact]
        public void TestingDeliversAndLogsWhatEnforceWouldHaveRefused()
        {
            _https.Policy = "version: STSv1\nmode: testing\nmx: other.sts.test\nmax_age: 86400\n";
            PolicyDelivery delivery = Delivery(trustMx: true);
            DeliveryResult result = delivery.Deliver(Domain, _cache);
            Assert.True(result.Code == 250, result.Text);
            Assert.Contains("MTA-STS policy of sts.test (testing) does not list MX host mx.sts.test (mx: other.sts.test); enforce would not connect to it", delivery.LogText);

            // A listed MX with a certificate that does not verify: delivered at the static level (may), the failure logged.
            _https.Policy = "version: STSv1\nmode: testing\nmx: mx.sts.test\nmax_age: 86400\n";
            PolicyDelivery untrusted = Delivery(trustMx: false);
            result = untrusted.Deliver(Domain, null);
            Assert.True(result.Code == 250, result.Text);
            Assert.Contains("MTA-STS policy of sts.test is in testing mode: enforce would defer: 454 4.7.5", untrusted.LogText);
            Assert.Equal("x@sts.test|tls\nx@sts.test|tls", _mx.Transport.Trim());
        }

        [Fact]
        public void ModeNoneAndAnInvalidPolicyChangeNothing()
        {
            _https.Policy = "version: STSv1\nmode: none\nmax_age: 86400\n";
            Assert.Equal(250, Delivery(trustMx: false).Deliver(Domain, null).Code);

            _https.Policy = "version: STSv2\nmode: enforce\nmx: nothing.test\nmax_age: 86400\n";
            PolicyDelivery delivery = Delivery(trustMx: false);
            Assert.Equal(250, delivery.Deliver(Domain, null).Code);
            Assert.Contains("the policy is invalid: version is \"STSv2\", not STSv1; delivering as if it had none", delivery.LogText);
        }

        [Fact]
        public void TheCachedPolicyOutlivesARestartAndAnUnreachablePolicyServer()
        {
            _https.Policy = "version: STSv1\nmode: enforce\nmx: mail.sts.test\nmax_age: 86400\n";
            Assert.Equal(454, Delivery(trustMx: true).Deliver(Domain, _cache).Code);
            string line = File.ReadAllText(Path.Combine(_cache, MtaStsCache.FileName));
            Assert.Matches(@"^sts\.test \d+ 20261204T1900 enforce 86400 mail\.sts\.test\n$", line);

            // A new process (a new policy object on the same directory): the TXT id is unchanged, so no fetch, and a
            // policy server that now answers garbage is never asked.
            _https.Policy = "garbage";
            PolicyDelivery restarted = Delivery(trustMx: true);
            DeliveryResult result = restarted.Deliver(Domain, _cache);
            Assert.Equal(454, result.Code);
            Assert.Equal(0, restarted.SmtpConnects);
            Assert.Single(_https.Requests.Trim().Split('\n'));
        }

        [Fact]
        public void APolicyServedAsAnotherMediaTypeIsNotAPolicy()
        {
            (string certificate, string key) = _ca.Issue("mta-sts." + Domain);
            using var html = new HttpsPolicyServer(certificate, key, "text/html");
            html.Policy = "version: STSv1\nmode: enforce\nmx: mail.sts.test\nmax_age: 86400\n";
            var delivery = new PolicyDelivery(Settings(trustMx: true), _mx.Port, html.Port);
            Assert.Equal(250, delivery.Deliver(Domain, null).Code);
            Assert.Contains("the policy's media type is \"text/html\", not text/plain", delivery.LogText);
        }

        [Fact]
        public void AChunkedPolicyIsReadWhole()
        {
            (string certificate, string key) = _ca.Issue("mta-sts." + Domain);
            using var chunked = new HttpsPolicyServer(certificate, key, chunked: true);
            chunked.Policy = "version: STSv1\nmode: enforce\nmx: mail.sts.test\nmax_age: 86400\n";
            var delivery = new PolicyDelivery(Settings(trustMx: true), _mx.Port, chunked.Port);
            DeliveryResult result = delivery.Deliver(Domain, null);
            Assert.Equal(454, result.Code);
            Assert.Contains("MTA-STS: policy of sts.test id 20261204T1900: mode enforce, max_age 86400, mx mail.sts.test", delivery.LogText);
        }

        private PolicyDelivery Delivery(bool trustMx) => new(Settings(trustMx), _mx.Port, _https.Port);

        private string Settings(bool trustMx) =>
            $"dns_servers = {_dns.Endpoint}\nsmtp_mta_sts_enable = yes\nsmtp_mta_sts_fetch_timeout = 20s\n" +
            $"smtp_tls_CAfile = {(trustMx ? _ca.Roots(_mx.Certificate) : _ca.Roots())}\n";
    }
}

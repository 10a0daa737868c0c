using System;
using System.Security.Cryptography;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Tests.Dns;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Relay
{
    /// <summary>
    /// DANE (RFC 7672) against real peers: dnsmasq serving the MX, A and TLSA records of dane.test (--dns-rr), behind a
    /// relay that sets or clears the AD bit (fault injection: dnsmasq signs nothing, so it stands for a validating resolver
    /// that did or did not vouch), and aiosmtpd offering STARTTLS as mx.dane.test with a self-signed certificate that is in
    /// no CA file: only a TLSA record can make it trusted.
    /// </summary>
    public sealed class DaneInteropTests : IDisposable
    {
        private const string Domain = "dane.test";

        private readonly Aiosmtpd _mx = new(requireStartTls: false, dnsName: "mx.dane.test");
        private DnsmasqServer? _dns;
        private AdBitProxy? _proxy;

        public void Dispose()
        {
            _proxy?.Dispose();
            _dns?.Dispose();
            _mx.Dispose();
        }

        [Theory]
        [InlineData(3, 1, 1)]
        [InlineData(3, 0, 1)]
        [InlineData(3, 1, 2)]
        [InlineData(3, 0, 0)]
        [InlineData(2, 0, 1)]
        [InlineData(2, 1, 1)]
        public void AMatchingAuthenticTlsaRecordDeliversOverTls(int usage, int selector, int matching)
        {
            PolicyDelivery delivery = Serve(Tlsa(usage, selector, matching, Association(selector, matching)), RecordType.Mx, RecordType.Tlsa);
            DeliveryResult result = delivery.Deliver(Domain, null);
            Assert.True(result.Code == 250, result.Text + "\n" + delivery.LogText);
            Assert.Equal("x@dane.test|tls", _mx.Transport.Trim());
        }

        [Fact]
        public void AMismatchingAuthenticTlsaRecordDefersAndNothingIsSentInTheClear()
        {
            byte[] wrong = Association(1, 1);
            wrong[0] ^= 0xFF;
            PolicyDelivery delivery = Serve(Tlsa(3, 1, 1, wrong), RecordType.Mx, RecordType.Tlsa);
            DeliveryResult result = delivery.Deliver(Domain, null);

            Assert.Equal(454, result.Code);
            Assert.True(result.Status == "4.7.5", result.Text);
            Assert.Contains("DANE: no TLSA record matches the certificate chain of the server", result.Text);
            Assert.Equal(string.Empty, _mx.Transport);
            Assert.Equal(1, delivery.SmtpConnects);
        }

        [Fact]
        public void TlsaRecordsWithoutTheAdBitAreIgnored()
        {
            byte[] wrong = Association(1, 1);
            wrong[0] ^= 0xFF;
            PolicyDelivery delivery = Serve(Tlsa(3, 1, 1, wrong), RecordType.Mx);
            DeliveryResult result = delivery.Deliver(Domain, null);

            // dane falls back to may: STARTTLS without authentication, as if there were no TLSA records.
            Assert.True(result.Code == 250, result.Text);
            Assert.Equal("x@dane.test|tls", _mx.Transport.Trim());
            Assert.Contains("dane: TLSA records of _25._tcp.mx.dane.test ignored: the resolver did not mark them authentic (AD)", delivery.LogText);
        }

        [Theory]
        // RFC 7672 §2.2.1: an MX answer without AD makes the TLSA records of its hosts irrelevant.
        [InlineData(true, RecordType.Tlsa)]
        // Postfix's rule: without smtp_dns_support_level = dnssec nothing is trusted.
        [InlineData(false, RecordType.Mx, RecordType.Tlsa)]
        public void WithoutAnAuthenticMxAnswerOrDnssecSupportTheTlsaRecordsAreNotAskedFor(bool dnssec, params int[] authentic)
        {
            byte[] wrong = Association(1, 1);
            wrong[0] ^= 0xFF;
            PolicyDelivery delivery = Serve(Tlsa(3, 1, 1, wrong), dnssec, authentic);
            Assert.Equal(250, delivery.Deliver(Domain, null).Code);
            Assert.Equal("x@dane.test|tls", _mx.Transport.Trim());
            Assert.DoesNotContain("TLSA", _dns!.Log);
            Assert.Equal(!dnssec, delivery.LogText.Contains("dane needs smtp_dns_support_level = dnssec; until then TLSA records are not looked up and dane means may"));
        }

        [Fact]
        public void AFailedTlsaLookupDefersThatServer()
        {
            // dnsmasq forwards _tcp.mx.dane.test questions to a server that never answers: the lookup fails (no denial).
            _dns = new DnsmasqServer(new[]
            {
                "--local=/dane.test/",
                "--server=/_tcp.mx.dane.test/127.0.0.1#9",
                "--mx-host=dane.test,mx.dane.test,10",
                "--host-record=mx.dane.test,127.0.0.1",
            });
            _proxy = new AdBitProxy(_dns.Port, RecordType.Mx, RecordType.Tlsa);
            var delivery = new PolicyDelivery($"dns_servers = {_proxy.Endpoint}\ndns_timeout = 1s\ndns_attempts = 1\nsmtp_tls_security_level = dane\nsmtp_dns_support_level = dnssec\n", _mx.Port);
            DeliveryResult result = delivery.Deliver(Domain, null);

            Assert.Equal(454, result.Code);
            Assert.StartsWith("454 4.7.5 TLSA lookup for _25._tcp.mx.dane.test failed", result.Text);
            Assert.Equal(0, delivery.SmtpConnects);
        }

        // "--dns-rr=owner,52,hex": RFC 6698 §2.1 wire form, usage, selector, matching type, association data.
        private static string Tlsa(int usage, int selector, int matching, byte[] data) =>
            "--dns-rr=_25._tcp.mx.dane.test,52," + Convert.ToHexString(new[] { (byte)usage, (byte)selector, (byte)matching }) + Convert.ToHexString(data);

        private byte[] Association(int selector, int matching)
        {
            byte[] selected = TestCa.Der(_mx.Certificate, publicKeyOnly: selector == 1);
            return matching switch
            {
                1 => SHA256.HashData(selected),
                2 => SHA512.HashData(selected),
                _ => selected,
            };
        }

        private PolicyDelivery Serve(string tlsa, params int[] authentic) => Serve(tlsa, true, authentic);

        /// <param name="authentic">The question types whose answers carry the AD bit.</param>
        private PolicyDelivery Serve(string tlsa, bool dnssec, int[] authentic)
        {
            _dns = new DnsmasqServer(new[]
            {
                "--local=/dane.test/",
                "--mx-host=dane.test,mx.dane.test,10",
                "--host-record=mx.dane.test,127.0.0.1",
                tlsa,
            });
            _proxy = new AdBitProxy(_dns.Port, authentic);
            return new PolicyDelivery($"dns_servers = {_proxy.Endpoint}\nsmtp_tls_security_level = dane\n" + (dnssec ? "smtp_dns_support_level = dnssec\n" : string.Empty), _mx.Port);
        }
    }
}

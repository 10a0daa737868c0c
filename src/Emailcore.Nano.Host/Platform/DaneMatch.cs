using System;
using System.Collections.Generic;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Host.Platform
{
    /// <summary>
    /// RFC 7672 §3 authentication of an SMTP server by its TLSA records, run in SslStream's validation callback:
    /// DANE-EE(3) matches the server's own certificate and ignores names, issuers and dates (§3.1.1); DANE-TA(2) matches a
    /// certificate of the chain the server sent, which must then anchor a valid chain to a certificate naming the server (§3.1.2).
    /// </summary>
    public static class DaneMatch
    {
        /// <summary>RFC 7672 §3.1.2 DANE-TA(2), §3.1.1 DANE-EE(3); PKIX-TA(0) and PKIX-EE(1) are not for SMTP (§3.1.3).</summary>
        private const int DaneTa = 2;
        private const int DaneEe = 3;

        /// <summary>RFC 6698 §2.1.2: the whole certificate (0) or its SubjectPublicKeyInfo (1).</summary>
        private const int PublicKey = 1;

        /// <summary>RFC 6698 §2.1.3: the selected bytes themselves (0), their SHA-256 (1) or SHA-512 (2).</summary>
        private const int Sha256 = 1;
        private const int Sha512 = 2;

        /// <summary>A record of a usage, selector and matching type this client can match, with association data.</summary>
        public static bool Usable(byte[] record) =>
            record.Length > 3 && (record[0] == DaneTa || record[0] == DaneEe) && record[1] <= PublicKey && record[2] <= Sha512;

        /// <summary>Null when a record matches; otherwise why none did, for the deferral.</summary>
        public static string? Problem(TlsaRecords records, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (certificate == null)
            {
                return "DANE: the server sent no certificate";
            }

            var leaf = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
            List<X509Certificate2> sent = Sent(leaf, chain);
            bool nameMatches = (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
            foreach (byte[] record in records.Records)
            {
                if (record[0] == DaneEe && Matches(record, leaf))
                {
                    return null;
                }

                if (record[0] == DaneTa && nameMatches)
                {
                    foreach (X509Certificate2 anchor in sent)
                    {
                        if (Matches(record, anchor) && Anchors(anchor, leaf, sent))
                        {
                            return null;
                        }
                    }
                }
            }

            return "DANE: no TLSA record matches the certificate chain of the server" + (nameMatches ? string.Empty : " (DANE-TA also needs the server's name in its certificate)");
        }

        // The leaf first, then what the server sent besides (SslStream keeps it in the chain's extra store).
        private static List<X509Certificate2> Sent(X509Certificate2 leaf, X509Chain? chain)
        {
            var sent = new List<X509Certificate2> { leaf };
            if (chain != null)
            {
                foreach (X509Certificate2 extra in chain.ChainPolicy.ExtraStore)
                {
                    sent.Add(extra);
                }
            }

            return sent;
        }

        // RFC 6698 §2.1.2 selector, §2.1.3 matching type.
        private static bool Matches(byte[] record, X509Certificate2 certificate)
        {
            byte[] selected = record[1] == PublicKey ? certificate.PublicKey.ExportSubjectPublicKeyInfo() : certificate.RawData;
            byte[] data = record[2] switch
            {
                Sha256 => SHA256.HashData(selected),
                Sha512 => SHA512.HashData(selected),
                _ => selected,
            };
            return CryptographicOperations.FixedTimeEquals(data, record.AsSpan(3));
        }

        // RFC 7672 §3.1.2: the matched certificate is the trust anchor; the chain from the leaf to it must be valid (dates, signatures).
        private static bool Anchors(X509Certificate2 anchor, X509Certificate2 leaf, List<X509Certificate2> sent)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(anchor);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.ExtraStore.AddRange(sent.ToArray());
            return chain.Build(leaf);
        }
    }
}

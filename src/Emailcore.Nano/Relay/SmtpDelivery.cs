using Emailcore.Nano.Config;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Client;

namespace Emailcore.Nano.Relay
{
    /// <summary>
    /// Delivery to one next hop over SMTP: finds the servers (MX, or the bracketed host), picks the TLS level
    /// (smtp_tls_policy_maps by next-hop destination, over smtp_tls_security_level, then what the destination publishes through
    /// <see cref="IDestinationPolicy"/>: MTA-STS, DANE) and credentials, tries the addresses in order
    /// (RFC 5321 §5.1) and keeps the session open for the next batch to the same hop. A 535 from a next hop is
    /// reported once, as a permanent failure of the message that met it; later messages for that hop are
    /// deferred without connecting until the relay restarts with new credentials, so a wrong password never
    /// turns into a storm of logins.
    /// </summary>
    public sealed class SmtpDelivery
    {
        /// <summary>Addresses tried per delivery before giving up for now (Postfix's smtp_mx_address_limit).</summary>
        public const int AddressLimit = 5;

        private readonly MailRouter _router;
        private readonly SmtpClient _client;
        private readonly TlsPolicy _default;
        private readonly TlsPolicyTable _policies;
        private readonly bool _wrapperMode;
        private readonly SaslPasswords _passwords;
        private readonly ILog _log;
        private readonly DeliveryResult _failure = new DeliveryResult();
        private readonly AuthFailures _authFailures;
        private readonly OwnListeners _own;
        private readonly IClock _clock;
        private readonly IDestinationPolicy _published;
        private string _openKey;

        /// <param name="published">MTA-STS and DANE (the host's); null: the static levels alone, dane as may.</param>
        public SmtpDelivery(MailRouter router, SmtpClient client, TlsLevel level, TlsPolicyTable policies, bool wrapperMode, SaslPasswords passwords, AuthFailures authFailures,
            OwnListeners own, ILog log, IClock clock, IDestinationPolicy published)
        {
            _published = published;
            _own = own;
            _clock = clock;
            _authFailures = authFailures;
            _router = router;
            _client = client;
            _default = new TlsPolicy(level);
            _policies = policies;
            _wrapperMode = wrapperMode;
            _passwords = passwords;
            _log = log;
        }

        /// <summary>
        /// Milliseconds the last <see cref="Deliver"/> spent before the transaction: DNS, connect, greeting, EHLO,
        /// TLS and AUTH; 0 when it reused an open connection (the "c" of Postfix's delays=a/b/c/d).
        /// </summary>
        public long SetupMilliseconds { get; private set; }

        /// <summary>Delivers one message to the recipients at <paramref name="batch"/>[0..count), all routed to <paramref name="route"/>.</summary>
        public void Deliver(Route route, Envelope envelope, int[] batch, int count, IMessageSource content, DeliveryResult[] results)
        {
            string key = route.Key;
            SetupMilliseconds = 0;
            if (_authFailures.Contains(key))
            {
                FailedEarlier(key, batch, count, results);
                return;
            }

            if (!(_client.IsOpen && _openKey == key))
            {
                _client.Quit();
                _openKey = null;
                long start = _clock.MonotonicMilliseconds;
                bool opened = Open(route, batch, count, results);
                SetupMilliseconds = _clock.MonotonicMilliseconds - start;
                if (!opened)
                {
                    return;
                }

                _openKey = key;
            }

            _client.Send(envelope, batch, count, content, results);
            if (!_client.IsOpen)
            {
                _openKey = null;
            }
        }

        /// <summary>Ends the pass: QUIT to the server still open.</summary>
        public void EndPass()
        {
            _client.Quit();
            _openKey = null;
        }

        private bool Open(Route route, int[] batch, int count, DeliveryResult[] results)
        {
            NextHop hop = route.Hop;
            MailRoute servers = _router.Route(hop);
            if (servers.Status != RouteStatus.Deliverable)
            {
                bool permanent = servers.Status == RouteStatus.Permanent;
                int code = permanent ? 550 : 451;
                SetAll(batch, count, results, code, servers.EnhancedCode, code.ToString() + " " + servers.EnhancedCode + " " + servers.Reason, "none");
                return false;
            }

            TlsPolicy policy = _policies.Lookup(hop, _default);
            if (_published != null)
            {
                _published.Begin(hop, policy.Level);
            }

            SaslCredentials credentials = _passwords.Lookup(hop);
            int tried = 0;
            bool ourselves = false;
            _failure.Set(451, "4.4.1", "451 4.4.1 no server of " + hop.Host + " could be reached", "none");
            for (int t = 0; t < servers.Count && tried < AddressLimit; t++)
            {
                DeliveryTarget target = servers[t];

                string verifyName = policy.CertificateName(hop.Host, target.Host);
                TlsLevel level = policy.Level;
                TlsaRecords dane = null;
                string testing = null;
                string refusal = _published == null ? null : _published.Decide(target.Host, ref level, ref verifyName, out dane, out testing);
                if (refusal != null)
                {
                    _failure.Set(454, "4.7.5", refusal, "none");
                    continue;
                }

                level = WithoutDane(level);

                for (int a = 0; a < target.AddressCount && tried < AddressLimit; a++)
                {
                    // RFC 5321 §5.1: "the SMTP client MUST ... not deliver to itself"; one of our listeners is skipped unconnected.
                    if (_own.IsOurListener(target.Address(a)))
                    {
                        ourselves = true;
                        continue;
                    }

                    tried++;
                    if (_client.Open(target.Address(a), target.Host, verifyName, level, _wrapperMode, credentials, dane, _failure)
                        || (testing != null && Untested(testing, target, a, policy, hop, credentials)))
                    {
                        return true;
                    }

                    if (_client.AuthenticationFailed)
                    {
                        if (!_authFailures.Add(route.Key))
                        {
                            // Another runner met the same refusal at the same time: that one reports it.
                            FailedEarlier(route.Key, batch, count, results);
                            return false;
                        }

                        _log.Write(LogLevel.Error, _failure.Text + "; mail for " + route.Key + " waits until the credentials are fixed and the relay restarted");
                        SetAll(batch, count, results, 535, _failure.Status, _failure.Text, _client.Relay);
                        return false;
                    }
                }
            }

            if (tried == 0 && ourselves)
            {
                SetAll(batch, count, results, 554, "5.4.6", "554 5.4.6 mail for " + hop.ToString() + " loops back to myself", "none");
                return false;
            }

            SetAll(batch, count, results, _failure.Code, _failure.Status, _failure.Text, _failure.Relay ?? "none");
            return false;
        }

        // RFC 8461 §5: under an MTA-STS testing policy a TLS failure that enforce would defer for is logged, and the address
        // is tried again at its static level.
        private bool Untested(string domain, DeliveryTarget target, int address, TlsPolicy policy, NextHop hop, SaslCredentials credentials)
        {
            if (_client.AuthenticationFailed || !_failure.Status.StartsWith("4.7."))
            {
                return false;
            }

            TlsLevel level = WithoutDane(policy.Level);
            _log.Write(LogLevel.Warning, "MTA-STS policy of " + domain + " is in testing mode: enforce would defer: " + _failure.Text + "; trying " + target.Host + " at level " + TlsLevels.Name(level));
            return _client.Open(target.Address(address), target.Host, policy.CertificateName(hop.Host, target.Host), level, _wrapperMode, credentials, null, _failure);
        }

        // Where nothing vouches for TLSA records (no published policies, or outside them), dane is Postfix's fallback: may.
        private static TlsLevel WithoutDane(TlsLevel level)
        {
            return level == TlsLevel.Dane ? TlsLevel.May : level;
        }

        private static void FailedEarlier(string key, int[] batch, int count, DeliveryResult[] results)
        {
            SetAll(batch, count, results, 454, "4.7.8", "454 4.7.8 authentication to " + key + " failed earlier; not trying again until the credentials change", "none");
        }

        private static void SetAll(int[] batch, int count, DeliveryResult[] results, int code, string status, string text, string relay)
        {
            for (int i = 0; i < count; i++)
            {
                results[batch[i]].Set(code, status, text, relay);
            }
        }
    }
}

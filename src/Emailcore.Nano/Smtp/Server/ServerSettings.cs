using Emailcore.Nano.Config;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Smtp.Server
{
    /// <summary>What the server sessions need from main.cf, read once; shared by every session (read-only but for <see cref="TlsAdmission"/>).</summary>
    public sealed class ServerSettings
    {
        public string HostName { get; set; }

        public long MessageSizeLimit { get; set; }

        public int RecipientLimit { get; set; }

        public int EnvelopeBufferSize { get; set; }

        public int TimeoutMilliseconds { get; set; }

        public int HardErrorLimit { get; set; }

        public int ErrorSleepMilliseconds { get; set; }

        public int ConnectionLimit { get; set; }

        public int ShutdownMilliseconds { get; set; }

        /// <summary>smtpd_session_time_limit: how long one connection may last at most; 0: no limit.</summary>
        public int SessionLimitMilliseconds { get; set; }

        public bool ForbidBareNewline { get; set; }

        public bool StrictEnvelopes { get; set; }

        public bool HeloBareNames { get; set; }

        /// <summary>smtpd_peername_lookup: the client's FCrDNS name in logs and Received.</summary>
        public bool PeernameLookup { get; set; }

        /// <summary>smtpd_client_lookup_timeout: the bound on each DNS question about a client (its name, its EHLO name).</summary>
        public int ClientLookupMilliseconds { get; set; }

        /// <summary>smtpd_reject_unmatched_helo_hostname (RFC 5321bis AS §2.1).</summary>
        public bool RejectUnmatchedHelo { get; set; }

        /// <summary>smtpd_reject_literal_helo_hostname (RFC 5321bis AS §2.4).</summary>
        public bool RejectLiteralHelo { get; set; }

        /// <summary>smtpd_reject_literal_sender_domain (RFC 5321bis AS §2.4).</summary>
        public bool RejectLiteralSender { get; set; }

        /// <summary>The sessions ask DNS about their clients (an <see cref="IClientLookup"/> per session slot is needed).</summary>
        public bool NeedsClientLookup
        {
            get { return PeernameLookup || RejectUnmatchedHelo; }
        }

        /// <summary>STARTTLS is offered (a certificate and key are configured and the level is not none).</summary>
        public bool TlsOffered { get; set; }

        /// <summary>smtpd_tls_security_level = encrypt: 530 5.7.0 before MAIL without TLS.</summary>
        public bool TlsRequired { get; set; }

        /// <summary>smtpd_starttls_timeout: the server TLS handshake's limit.</summary>
        public int TlsHandshakeMilliseconds { get; set; }

        /// <summary>Which clients get a TLS handshake, and how many at once (smtpd_tls_networks, smtpd_tls_handshake_limit).</summary>
        public TlsAdmission TlsAdmission { get; set; }

        public bool AuthEnabled { get; set; }

        public bool TlsAuthOnly { get; set; }

        /// <summary>The smtpd_sasl_users table; null: AUTH is not offered.</summary>
        public SaslUsers Users { get; set; }

        public AddressRange[] Mynetworks { get; set; }

        public string[] Mydestination { get; set; }

        public static ServerSettings From(MainConfig config)
        {
            var s = new ServerSettings();
            s.HostName = config.GetString(Parameters.Myhostname);
            s.MessageSizeLimit = config.GetSize(Parameters.MessageSizeLimit);
            s.RecipientLimit = config.GetCount(Parameters.SmtpdRecipientLimit);
            s.EnvelopeBufferSize = (int)config.GetSize(Parameters.SmtpdEnvelopeBufferSize);
            s.TimeoutMilliseconds = config.GetMilliseconds(Parameters.SmtpdTimeout);
            s.HardErrorLimit = config.GetCount(Parameters.SmtpdHardErrorLimit);
            s.ErrorSleepMilliseconds = config.GetMilliseconds(Parameters.SmtpdErrorSleepTime);
            s.ConnectionLimit = config.GetCount(Parameters.SmtpdClientConnectionCountLimit);
            s.ShutdownMilliseconds = config.GetMilliseconds(Parameters.SmtpdShutdownTimeout);
            s.SessionLimitMilliseconds = config.GetMilliseconds(Parameters.SmtpdSessionTimeLimit);
            s.ForbidBareNewline = config.GetBool(Parameters.SmtpdForbidBareNewline);
            s.StrictEnvelopes = config.GetBool(Parameters.StrictRfc821Envelopes);
            s.HeloBareNames = config.GetBool(Parameters.SmtpdHeloBareNames);
            s.PeernameLookup = config.GetBool(Parameters.SmtpdPeernameLookup);
            s.ClientLookupMilliseconds = config.GetMilliseconds(Parameters.SmtpdClientLookupTimeout);
            s.RejectUnmatchedHelo = config.GetBool(Parameters.SmtpdRejectUnmatchedHeloHostname);
            s.RejectLiteralHelo = config.GetBool(Parameters.SmtpdRejectLiteralHeloHostname);
            s.RejectLiteralSender = config.GetBool(Parameters.SmtpdRejectLiteralSenderDomain);
            string level = config.GetString(Parameters.SmtpdTlsSecurityLevel);
            s.TlsOffered = level != "none" && config.GetString(Parameters.SmtpdTlsCertFile).Length > 0 && config.GetString(Parameters.SmtpdTlsKeyFile).Length > 0;
            s.TlsRequired = level == "encrypt";
            s.TlsHandshakeMilliseconds = config.GetMilliseconds(Parameters.SmtpdStarttlsTimeout);
            s.TlsAdmission = TlsAdmission.From(config);
            s.AuthEnabled = config.GetBool(Parameters.SmtpdSaslAuthEnable);
            s.TlsAuthOnly = config.GetBool(Parameters.SmtpdTlsAuthOnly);
            string[] networks = config.GetList(Parameters.Mynetworks);
            s.Mynetworks = new AddressRange[networks.Length];
            for (int i = 0; i < networks.Length; i++)
            {
                s.Mynetworks[i] = AddressRange.Parse(networks[i]);
            }

            s.Mydestination = config.GetList(Parameters.Mydestination);
            return s;
        }

        /// <summary>Settings that cannot work together, as a message for the admin; null when they can.</summary>
        public string Problem(bool hasImplicitTlsListener)
        {
            if (TlsRequired && !TlsOffered)
            {
                return "smtpd_tls_security_level = encrypt needs smtpd_tls_cert_file and smtpd_tls_key_file";
            }

            if (hasImplicitTlsListener && !TlsOffered)
            {
                return "an /smtps listener needs smtpd_tls_cert_file and smtpd_tls_key_file";
            }

            if (AuthEnabled && Users == null)
            {
                return "smtpd_sasl_auth_enable = yes needs smtpd_sasl_users";
            }

            return null;
        }

        public bool InMynetworks(Endpoint client)
        {
            for (int i = 0; i < Mynetworks.Length; i++)
            {
                if (Mynetworks[i].Contains(client))
                {
                    return true;
                }
            }

            return false;
        }

        public bool IsLocalDomain(byte[] domain, int offset, int length)
        {
            for (int i = 0; i < Mydestination.Length; i++)
            {
                if (Ascii.EqualsIgnoreCase(domain, offset, length, Mydestination[i]))
                {
                    return true;
                }
            }

            return false;
        }
    }
}

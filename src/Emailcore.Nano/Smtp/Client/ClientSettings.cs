using Emailcore.Nano.Config;

namespace Emailcore.Nano.Smtp.Client
{
    /// <summary>What the client takes from main.cf: its name and the RFC 5321 §4.5.3.2 timeouts, per phase.</summary>
    public sealed class ClientSettings
    {
        /// <summary>RFC 5321 §4.1.4: our FQDN for EHLO; empty means the address literal of the local interface.</summary>
        public string HeloName { get; set; } = string.Empty;

        public int ConnectTimeout { get; set; } = 30000;

        public int HeloTimeout { get; set; } = 300000;

        /// <summary>smtp_starttls_timeout: the TLS handshake's limit.</summary>
        public int StartTlsTimeout { get; set; } = 300000;

        public int MailTimeout { get; set; } = 300000;

        public int RcptTimeout { get; set; } = 300000;

        public int DataInitTimeout { get; set; } = 120000;

        public int DataTransferTimeout { get; set; } = 180000;

        public int DataDoneTimeout { get; set; } = 600000;

        /// <summary>Credentials go only over TLS unless this is false (smtp_sasl_tls_only).</summary>
        public bool SaslTlsOnly { get; set; } = true;

        public static ClientSettings From(MainConfig config)
        {
            var s = new ClientSettings();
            s.HeloName = config.GetString(Parameters.Myhostname);
            s.ConnectTimeout = config.GetMilliseconds(Parameters.SmtpConnectTimeout);
            s.HeloTimeout = config.GetMilliseconds(Parameters.SmtpHeloTimeout);
            s.StartTlsTimeout = config.GetMilliseconds(Parameters.SmtpStarttlsTimeout);
            s.MailTimeout = config.GetMilliseconds(Parameters.SmtpMailTimeout);
            s.RcptTimeout = config.GetMilliseconds(Parameters.SmtpRcptTimeout);
            s.DataInitTimeout = config.GetMilliseconds(Parameters.SmtpDataInitTimeout);
            s.DataTransferTimeout = config.GetMilliseconds(Parameters.SmtpDataXferTimeout);
            s.DataDoneTimeout = config.GetMilliseconds(Parameters.SmtpDataDoneTimeout);
            s.SaslTlsOnly = config.GetBool(Parameters.SmtpSaslTlsOnly);
            return s;
        }
    }

    /// <summary>A login for the next hop: a user and password for PLAIN/LOGIN, or an OAuth 2.0 access token for XOAUTH2.</summary>
    public sealed class SaslCredentials
    {
        public SaslCredentials(string user, string password, string oauthToken)
        {
            User = user;
            Password = password;
            OAuthToken = oauthToken;
        }

        public string User { get; }

        public string Password { get; }

        public string OAuthToken { get; }
    }
}

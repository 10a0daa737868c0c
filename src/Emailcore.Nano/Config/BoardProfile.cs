namespace Emailcore.Nano.Config
{
    /// <summary>
    /// What a board's firmware cannot do, refused before anything starts (the firmware and `config check --board`
    /// apply the same rules). The limits are those of nanoFramework's ESP32 images (nf-interpreter@a3e8139a
    /// targets/ESP32/_IDF/sdkconfig.default*): 16 lwIP sockets of which 8 may listen, no built-in root certificates,
    /// and a System.Net (1.11) whose IPEndPoint carries IPv4 addresses only.
    /// </summary>
    public static class BoardProfile
    {
        /// <summary>CONFIG_LWIP_MAX_SOCKETS: every socket the firmware can have open at once.</summary>
        public const int Sockets = 16;

        /// <summary>MAX_LISTENING_TCP in nanoFramework's lwIP options.</summary>
        public const int ListeningSockets = 8;

        /// <summary>Throws <see cref="ConfigException"/>, at the line that set it, for the first setting a board cannot honour.</summary>
        public static void Check(MainConfig config)
        {
            if (InetProtocols.Ipv6(config))
            {
                Refuse(config, Parameters.InetProtocols, "inet_protocols = all cannot work on a board: its System.Net carries IPv4 addresses only; set ipv4");
            }

            CheckLevels(config);
            CheckSockets(config);
        }

        // The firmware has no built-in roots (CONFIG_MBEDTLS_CERTIFICATE_BUNDLE=n): without a CA file every verified handshake
        // fails; and System.Net's SslStream shows the managed side no server certificate, so no TLSA record can be matched.
        private static void CheckLevels(MainConfig config)
        {
            bool roots = config.GetString(Parameters.SmtpTlsCAfile).Length > 0;
            TlsLevel level;
            TlsLevels.TryParse(config.GetString(Parameters.SmtpTlsSecurityLevel), out level);
            CheckLevel(config, Parameters.SmtpTlsSecurityLevel, "smtp_tls_security_level = ", level, roots);
            string policies = config.GetString(Parameters.SmtpTlsPolicyMaps);
            if (policies.Length > 0 && !DomainMap.IsFileReference(policies))
            {
                TlsPolicyTable table = TlsPolicyTable.ParseInline(policies, config.FileName, config.LineOf(Parameters.SmtpTlsPolicyMaps));
                for (int i = 0; i < table.Count; i++)
                {
                    CheckLevel(config, Parameters.SmtpTlsPolicyMaps, "smtp_tls_policy_maps: " + table.KeyAt(i) + " ", table.PolicyAt(i).Level, roots);
                }
            }
        }

        private static void CheckLevel(MainConfig config, Parameter parameter, string setting, TlsLevel level, bool roots)
        {
            if (level == TlsLevel.Dane)
            {
                Refuse(config, parameter, setting + "dane cannot work on a board: its TLS binding does not expose the server's certificate");
            }

            if (level >= TlsLevel.Verify && !roots)
            {
                Refuse(config, parameter, setting + TlsLevels.Name(level) + " needs smtp_tls_CAfile on a board: the firmware has no built-in root certificates");
            }
        }

        // One socket per listener, per session, per delivery runner and its DNS query, and one for a connection
        // being refused with 421; a TLS session needs a TCP connection, and each one costs native heap (boards/*/README.md).
        private static void CheckSockets(MainConfig config)
        {
            int listeners = config.GetList(Parameters.SmtpdListen).Length;
            int sessions = config.GetCount(Parameters.SmtpdClientConnectionCountLimit);
            int runners = config.GetCount(Parameters.SmtpDeliveryConcurrency);
            if (listeners > ListeningSockets)
            {
                Refuse(config, Parameters.SmtpdListen, "smtpd_listen: " + listeners.ToString() + " listeners, but a board can listen on at most " + ListeningSockets.ToString());
            }

            long sockets = (long)listeners + sessions + 1 + 2L * runners;
            if (sockets > Sockets)
            {
                Refuse(config, Parameters.SmtpdClientConnectionCountLimit, "smtpd_listen, smtpd_client_connection_count_limit and smtp_delivery_concurrency need " + sockets.ToString()
                    + " sockets (listeners + sessions + 1 + 2 per delivery runner), but a board has " + Sockets.ToString());
            }

            int tls = config.GetCount(Parameters.TlsSessionLimit);
            if (tls == 0)
            {
                Refuse(config, Parameters.TlsSessionLimit, "tls_session_limit = 0 (no limit) cannot work on a board: each TLS session takes about 33 KB of native heap; set how many the board holds (1 without PSRAM)");
            }

            if ((long)tls > (long)sessions + runners)
            {
                Refuse(config, Parameters.TlsSessionLimit, "tls_session_limit = " + tls.ToString() + " is more than the " + ((long)sessions + runners).ToString()
                    + " TCP connections the board can have (smtpd_client_connection_count_limit + smtp_delivery_concurrency)");
            }
        }

        private static void Refuse(MainConfig config, Parameter parameter, string message)
        {
            throw new ConfigException(config.FileName, config.LineOf(parameter), message);
        }
    }
}

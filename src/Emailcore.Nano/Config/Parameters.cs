namespace Emailcore.Nano.Config
{
    /// <summary>
    /// Every main.cf parameter with its host and board defaults. docs/configuration.md is the reference;
    /// a test keeps the two in step.
    /// </summary>
    public static class Parameters
    {
        // Static initializers run in textual order, so the table exists before the first Define.
        private static readonly Parameter[] Table = new Parameter[96];
        private static int _count;

        /// <summary>Our FQDN for EHLO, Received and bounces; empty: the address literal of the local interface (RFC 5321 §4.1.4).</summary>
        public static readonly Parameter Myhostname = Define("myhostname", ParameterKind.HostName, "", "");

        /// <summary>Listeners: address:port, optionally /smtp, /submission or /smtps (implicit TLS, RFC 8314).</summary>
        public static readonly Parameter SmtpdListen = Define("smtpd_listen", ParameterKind.ListenList, "127.0.0.1:2525", "0.0.0.0:25");

        /// <summary>Clients allowed to relay without AUTH.</summary>
        public static readonly Parameter Mynetworks = Define("mynetworks", ParameterKind.NetworkList, "127.0.0.0/8 [::1]/128", "127.0.0.0/8 [::1]/128");

        /// <summary>Domains delivered locally into the Maildir; $myhostname by default, as in Postfix, so list owners and bounces to us stay here.</summary>
        public static readonly Parameter Mydestination = Define("mydestination", ParameterKind.DomainList, "$myhostname, localhost", "$myhostname, localhost");

        /// <summary>The local Maildir root.</summary>
        public static readonly Parameter HomeMailbox = Define("home_mailbox", ParameterKind.Path, "mail", "mail");

        /// <summary>Where the spool lives.</summary>
        public static readonly Parameter QueueDirectory = Define("queue_directory", ParameterKind.Path, "spool", "spool");

        /// <summary>Byte budget of the spool; past it new mail gets 452 4.3.1.</summary>
        public static readonly Parameter QueueSizeLimit = Define("queue_size_limit", ParameterKind.Size, "104857600", "131072");

        /// <summary>
        /// Free bytes of the spool's medium held back from new mail (452 4.3.1 below it) for the state records and
        /// notifications that let finished messages go and free space (Postfix's queue_minfree).
        /// </summary>
        public static readonly Parameter QueueMinfree = Define("queue_minfree", ParameterKind.Size, "4194304", "16384");

        /// <summary>Largest message accepted, in bytes (SIZE, RFC 1870).</summary>
        public static readonly Parameter MessageSizeLimit = Define("message_size_limit", ParameterKind.Size, "10240000", "65536");

        /// <summary>Smarthost for all non-local mail: [host]:port (brackets: no MX lookup); empty: deliver by MX.</summary>
        public static readonly Parameter Relayhost = Define("relayhost", ParameterKind.NextHop, "", "");

        /// <summary>Per-domain next hops: 'domain nexthop, ...' inline, or a file of such lines.</summary>
        public static readonly Parameter TransportMaps = Define("transport_maps", ParameterKind.Text, "", "");

        /// <summary>An aliases(5) file for local recipients.</summary>
        public static readonly Parameter AliasMaps = Define("alias_maps", ParameterKind.Path, "", "");

        /// <summary>Client TLS: Postfix meanings.</summary>
        public static readonly Parameter SmtpTlsSecurityLevel = Define("smtp_tls_security_level", ParameterKind.Choice, "may", "may", "none|may|dane|encrypt|verify|secure");

        /// <summary>Per-domain TLS levels: 'domain level, ...' inline, or a file of such lines.</summary>
        public static readonly Parameter SmtpTlsPolicyMaps = Define("smtp_tls_policy_maps", ParameterKind.Text, "", "");

        /// <summary>Implicit TLS to the next hop (port 465, RFC 8314).</summary>
        public static readonly Parameter SmtpTlsWrappermode = Define("smtp_tls_wrappermode", ParameterKind.Bool, "no", "no");

        /// <summary>Trusted roots (PEM) for verify and secure; empty: the system's.</summary>
        public static readonly Parameter SmtpTlsCAfile = Define("smtp_tls_CAfile", ParameterKind.Path, "", "");

        /// <summary>Authenticate to the next hop.</summary>
        public static readonly Parameter SmtpSaslAuthEnable = Define("smtp_sasl_auth_enable", ParameterKind.Bool, "no", "no");

        /// <summary>Credentials: '[host]:port user:password, ...' inline, or a file of such lines.</summary>
        public static readonly Parameter SmtpSaslPasswordMaps = Define("smtp_sasl_password_maps", ParameterKind.Text, "", "");

        /// <summary>Server certificate (PEM); STARTTLS is offered when it and the key are set.</summary>
        public static readonly Parameter SmtpdTlsCertFile = Define("smtpd_tls_cert_file", ParameterKind.Path, "", "");

        /// <summary>Server private key (PEM).</summary>
        public static readonly Parameter SmtpdTlsKeyFile = Define("smtpd_tls_key_file", ParameterKind.Path, "", "");

        /// <summary>Server TLS: may offers STARTTLS, encrypt requires it before MAIL.</summary>
        public static readonly Parameter SmtpdTlsSecurityLevel = Define("smtpd_tls_security_level", ParameterKind.Choice, "may", "may", "none|may|encrypt");

        /// <summary>Offer AUTH to clients.</summary>
        public static readonly Parameter SmtpdSaslAuthEnable = Define("smtpd_sasl_auth_enable", ParameterKind.Bool, "no", "no");

        /// <summary>File of users and password hashes for server AUTH.</summary>
        public static readonly Parameter SmtpdSaslUsers = Define("smtpd_sasl_users", ParameterKind.Path, "", "");

        /// <summary>Recipients per message (452 4.5.3 past it).</summary>
        public static readonly Parameter SmtpdRecipientLimit = Define("smtpd_recipient_limit", ParameterKind.Count, "1000", "50");

        /// <summary>Simultaneous client sessions (421 4.3.2 past it).</summary>
        public static readonly Parameter SmtpdClientConnectionCountLimit = Define("smtpd_client_connection_count_limit", ParameterKind.Count, "50", "2");

        /// <summary>Reject a bare CR or LF in DATA (SMTP smuggling).</summary>
        public static readonly Parameter SmtpdForbidBareNewline = Define("smtpd_forbid_bare_newline", ParameterKind.Bool, "yes", "yes");

        /// <summary>Server wait for a whole client command line, AUTH line or data line, however its bytes are spaced (RFC 5321 §4.5.3.2.7).</summary>
        public static readonly Parameter SmtpdTimeout = Define("smtpd_timeout", ParameterKind.Time, "300s", "300s");

        /// <summary>Client TCP connect.</summary>
        public static readonly Parameter SmtpConnectTimeout = Define("smtp_connect_timeout", ParameterKind.Time, "30s", "30s");

        /// <summary>Client wait for the greeting and the EHLO reply (RFC 5321 §4.5.3.2.1).</summary>
        public static readonly Parameter SmtpHeloTimeout = Define("smtp_helo_timeout", ParameterKind.Time, "300s", "300s");

        /// <summary>Client wait for the MAIL reply (RFC 5321 §4.5.3.2.2).</summary>
        public static readonly Parameter SmtpMailTimeout = Define("smtp_mail_timeout", ParameterKind.Time, "300s", "300s");

        /// <summary>Client wait for each RCPT reply (RFC 5321 §4.5.3.2.3).</summary>
        public static readonly Parameter SmtpRcptTimeout = Define("smtp_rcpt_timeout", ParameterKind.Time, "300s", "300s");

        /// <summary>Client wait for the 354 reply (RFC 5321 §4.5.3.2.4).</summary>
        public static readonly Parameter SmtpDataInitTimeout = Define("smtp_data_init_timeout", ParameterKind.Time, "120s", "120s");

        /// <summary>Client limit on each data block sent (RFC 5321 §4.5.3.2.5).</summary>
        public static readonly Parameter SmtpDataXferTimeout = Define("smtp_data_xfer_timeout", ParameterKind.Time, "180s", "180s");

        /// <summary>Client wait for the reply to the final dot (RFC 5321 §4.5.3.2.6).</summary>
        public static readonly Parameter SmtpDataDoneTimeout = Define("smtp_data_done_timeout", ParameterKind.Time, "600s", "600s");

        /// <summary>Shortest retry delay (RFC 5321 §4.5.4.1: at least 30 minutes).</summary>
        public static readonly Parameter MinimalBackoffTime = Define("minimal_backoff_time", ParameterKind.Time, "30m", "30m");

        /// <summary>Longest retry delay.</summary>
        public static readonly Parameter MaximalBackoffTime = Define("maximal_backoff_time", ParameterKind.Time, "4h", "4h");

        /// <summary>Give up and bounce after this long (RFC 5321 §4.5.4.1: 4-5 days).</summary>
        public static readonly Parameter MaximalQueueLifetime = Define("maximal_queue_lifetime", ParameterKind.Time, "5d", "5d");

        /// <summary>The same for bounces.</summary>
        public static readonly Parameter BounceQueueLifetime = Define("bounce_queue_lifetime", ParameterKind.Time, "5d", "5d");

        /// <summary>Received headers allowed before a message is failed as a loop (5.4.6).</summary>
        public static readonly Parameter HopcountLimit = Define("hopcount_limit", ParameterKind.Count, "100", "100");

        /// <summary>Resolvers ip[:port]; empty: the system's or the board's interface's.</summary>
        public static readonly Parameter DnsServers = Define("dns_servers", ParameterKind.EndpointList, "", "");

        /// <summary>Wait for one DNS answer from one server, UDP or TCP.</summary>
        public static readonly Parameter DnsTimeout = Define("dns_timeout", ParameterKind.Time, "5s", "5s");

        /// <summary>Rounds over all DNS servers before a lookup fails temporarily.</summary>
        public static readonly Parameter DnsAttempts = Define("dns_attempts", ParameterKind.Count, "2", "2");

        /// <summary>EDNS0 UDP payload offered (RFC 6891), 512 to 1232 (other values: the nearest); 0 sends no OPT record.</summary>
        public static readonly Parameter DnsEdnsUdpSize = Define("dns_edns_udp_size", ParameterKind.Count, "1232", "1232");

        /// <summary>Largest DNS answer taken over TCP after truncation; the resolver's one buffer has this size.</summary>
        public static readonly Parameter DnsMessageSizeLimit = Define("dns_message_size_limit", ParameterKind.Size, "65535", "4096");

        /// <summary>DNS cache slots (0: no cache).</summary>
        public static readonly Parameter DnsCacheEntries = Define("dns_cache_entries", ParameterKind.Count, "512", "16");

        /// <summary>DNS cache arena in bytes, split evenly over the slots; an answer larger than a slot is not kept.</summary>
        public static readonly Parameter DnsCacheBytes = Define("dns_cache_bytes", ParameterKind.Size, "262144", "4096");

        /// <summary>Shortest time an answer is kept, whatever its TTL.</summary>
        public static readonly Parameter DnsCacheMinTtl = Define("dns_cache_min_ttl", ParameterKind.Time, "5s", "60s");

        /// <summary>Longest time an answer is kept, whatever its TTL (negative answers: at most 3h, RFC 2308 §5).</summary>
        public static readonly Parameter DnsCacheMaxTtl = Define("dns_cache_max_ttl", ParameterKind.Time, "1d", "1h");
        /// <summary>no: accept the envelope forms trusted MTAs accept (MAIL FROM: &lt;x&gt; with a space, addresses without brackets, EHLO with a bare IP address).</summary>
        public static readonly Parameter StrictRfc821Envelopes = Define("strict_rfc821_envelopes", ParameterKind.Bool, "no", "no");

        /// <summary>yes: accept an EHLO/HELO name without a dot (old LAN devices); never completed into an FQDN.</summary>
        public static readonly Parameter SmtpdHeloBareNames = Define("smtpd_helo_bare_names", ParameterKind.Bool, "no", "no");

        /// <summary>yes: the client's name for logs and Received by FCrDNS, a PTR name whose A/AAAA records hold the client's address; else unknown.</summary>
        public static readonly Parameter SmtpdPeernameLookup = Define("smtpd_peername_lookup", ParameterKind.Bool, "no", "no");

        /// <summary>Longest the server waits for DNS about one client: its name at connect, its EHLO name's address records at the first RCPT.</summary>
        public static readonly Parameter SmtpdClientLookupTimeout = Define("smtpd_client_lookup_timeout", ParameterKind.Time, "10s", "10s");

        /// <summary>yes: refuse clients outside mynetworks whose EHLO name has no A/AAAA record with their address (RFC 5321bis AS §2.1).</summary>
        public static readonly Parameter SmtpdRejectUnmatchedHeloHostname = Define("smtpd_reject_unmatched_helo_hostname", ParameterKind.Bool, "no", "no");

        /// <summary>yes: refuse clients outside mynetworks that give an IP address or localhost in EHLO (RFC 5321bis AS §2.4).</summary>
        public static readonly Parameter SmtpdRejectLiteralHeloHostname = Define("smtpd_reject_literal_helo_hostname", ParameterKind.Bool, "no", "no");

        /// <summary>yes: refuse senders with an address-literal or localhost domain from clients outside mynetworks (RFC 5321bis AS §2.4).</summary>
        public static readonly Parameter SmtpdRejectLiteralSenderDomain = Define("smtpd_reject_literal_sender_domain", ParameterKind.Bool, "no", "no");

        /// <summary>Error replies in one session before 421 and disconnect.</summary>
        public static readonly Parameter SmtpdHardErrorLimit = Define("smtpd_hard_error_limit", ParameterKind.Count, "20", "10");

        /// <summary>Offer and accept AUTH only over TLS.</summary>
        public static readonly Parameter SmtpdTlsAuthOnly = Define("smtpd_tls_auth_only", ParameterKind.Bool, "yes", "yes");

        /// <summary>Delay before the 535 reply to a failed AUTH.</summary>
        public static readonly Parameter SmtpdErrorSleepTime = Define("smtpd_error_sleep_time", ParameterKind.Time, "1s", "1s");

        /// <summary>Bytes of each session's envelope buffer (addresses and DSN parameters); full: 452 4.5.3.</summary>
        public static readonly Parameter SmtpdEnvelopeBufferSize = Define("smtpd_envelope_buffer_size", ParameterKind.Size, "32768", "1024");

        /// <summary>On stop, how long running sessions may go on before they are cut.</summary>
        public static readonly Parameter SmtpdShutdownTimeout = Define("smtpd_shutdown_timeout", ParameterKind.Time, "10s", "10s");

        /// <summary>Longest a client session may last, whatever it does (0: no limit); bounds how long slow clients hold the few session slots.</summary>
        public static readonly Parameter SmtpdSessionTimeLimit = Define("smtpd_session_time_limit", ParameterKind.Time, "1h", "2m");
        /// <summary>Spool write unit: a full chunk record is one page (a multiple of the flash program page).</summary>
        public static readonly Parameter SpoolPageSize = Define("spool_page_size", ParameterKind.Count, "4096", "1024");

        /// <summary>Spool segment file size; a segment is recycled when every message in it is finished.</summary>
        public static readonly Parameter SpoolSegmentSize = Define("spool_segment_size", ParameterKind.Count, "1048576", "16384");

        /// <summary>Messages the spool's index holds (its memory bound); past it new mail gets 452 4.3.1.</summary>
        public static readonly Parameter SpoolIndexLimit = Define("spool_index_limit", ParameterKind.Count, "10000", "64");

        /// <summary>Send client credentials only over TLS (RFC 4954 §4 leaves it to policy; Postfix's smtp_sasl_tls_security_options).</summary>
        public static readonly Parameter SmtpSaslTlsOnly = Define("smtp_sasl_tls_only", ParameterKind.Bool, "yes", "yes");

        /// <summary>Parallel delivery threads of the queue runner.</summary>
        public static readonly Parameter SmtpDeliveryConcurrency = Define("smtp_delivery_concurrency", ParameterKind.Count, "4", "1");

        /// <summary>Largest original message returned whole in a bounce; larger ones return only their header (Postfix's bounce_size_limit).</summary>
        public static readonly Parameter BounceSizeLimit = Define("bounce_size_limit", ParameterKind.Size, "50000", "4096");

        /// <summary>Sender of postmaster notifications about undeliverable bounces (@myhostname is added); mail from it that fails is discarded, so double bounces never loop (Postfix's double_bounce_sender).</summary>
        public static readonly Parameter DoubleBounceSender = Define("double_bounce_sender", ParameterKind.Text, "double-bounce", "double-bounce");

        /// <summary>Who gets a bounce that could not be delivered (Postfix's 2bounce_notice_recipient).</summary>
        public static readonly Parameter TwoBounceNoticeRecipient = Define("2bounce_notice_recipient", ParameterKind.Text, "postmaster", "postmaster");

        /// <summary>Envelope sender and From of alerts: an address, optionally with a display name ("Rack 3 &lt;board@lan.example&gt;").</summary>
        public static readonly Parameter AlertSender = Define("alert_sender", ParameterKind.Text, "alerts@localhost", "alerts@localhost");

        /// <summary>Where alerts go when the call names no recipients; empty: nowhere (the boot alert included).</summary>
        public static readonly Parameter AlertRecipients = Define("alert_recipients", ParameterKind.Text, "", "");

        /// <summary>Alerts of one key allowed per alert_rate_window (a token bucket); the rest are counted and reported with the next one.</summary>
        public static readonly Parameter AlertRateLimit = Define("alert_rate_limit", ParameterKind.Count, "10", "10");

        /// <summary>The window of alert_rate_limit: the bucket refills one alert every alert_rate_window / alert_rate_limit.</summary>
        public static readonly Parameter AlertRateWindow = Define("alert_rate_window", ParameterKind.Time, "1h", "1h");

        /// <summary>Alert keys storm control tracks at once (a fixed table); past it, new keys share one more bucket.</summary>
        public static readonly Parameter AlertKeyLimit = Define("alert_key_limit", ParameterKind.Count, "64", "8");

        /// <summary>An alert equal to the last one of its key sent within this time is suppressed (and counted).</summary>
        public static readonly Parameter AlertDedupeWindow = Define("alert_dedupe_window", ParameterKind.Time, "10m", "10m");

        /// <summary>yes: alert text that is not ASCII goes as 8bit with BODY=8BITMIME (RFC 6152), only right when every next hop for alerts offers 8BITMIME; no: quoted-printable.</summary>
        public static readonly Parameter Alert8BitMime = Define("alert_8bitmime", ParameterKind.Bool, "no", "no");

        /// <summary>TLS sessions open at once (client and server together); 0: no limit. A board without PSRAM has native heap for one (~33 KB each).</summary>
        public static readonly Parameter TlsSessionLimit = Define("tls_session_limit", ParameterKind.Count, "0", "1");

        /// <summary>Address families used: all, or ipv4 (no AAAA lookups, no IPv6 listeners, next hops or DNS servers). A board's System.Net carries IPv4 only.</summary>
        public static readonly Parameter InetProtocols = Define("inet_protocols", ParameterKind.Choice, "all", "ipv4", "all|ipv4");

        /// <summary>Clients offered STARTTLS and served on /smtps listeners. A board's TLS handshake blocks the whole board, so only trusted networks get it.</summary>
        public static readonly Parameter SmtpdTlsNetworks = Define("smtpd_tls_networks", ParameterKind.NetworkList, "0.0.0.0/0 [::]/0", "$mynetworks");

        /// <summary>Server TLS handshakes in progress at once; past it STARTTLS gets 454 4.7.0 and /smtps connections wait; 0: no limit.</summary>
        public static readonly Parameter SmtpdTlsHandshakeLimit = Define("smtpd_tls_handshake_limit", ParameterKind.Count, "0", "1");

        /// <summary>Server TLS handshake limit: the wait for the client's first flight, and the longest a handshake may take (Postfix's smtpd_starttls_timeout).</summary>
        public static readonly Parameter SmtpdStarttlsTimeout = Define("smtpd_starttls_timeout", ParameterKind.Time, "300s", "10s");

        /// <summary>Client TLS handshake limit (Postfix's smtp_starttls_timeout): each read and write in it, and the whole handshake on a board.</summary>
        public static readonly Parameter SmtpStarttlsTimeout = Define("smtp_starttls_timeout", ParameterKind.Time, "300s", "30s");

        public static int Count
        {
            get { return _count; }
        }

        public static Parameter At(int index)
        {
            return Table[index];
        }

        /// <summary>The parameter with this name, or null.</summary>
        public static Parameter Find(string name)
        {
            for (int i = 0; i < _count; i++)
            {
                if (Table[i].Name == name)
                {
                    return Table[i];
                }
            }

            return null;
        }

        /// <summary>
        /// Adds a parameter of the host program only (MTA-STS, DANE: Emailcore.Nano.Host/HostParameters), so a board's table
        /// never holds it, and a configuration with a board's defaults (config check --board) refuses it. Call before any
        /// <see cref="MainConfig"/> exists: a configuration has a slot per parameter defined when it was made.
        /// </summary>
        public static Parameter DefineHostOnly(string name, ParameterKind kind, string hostDefault, string choices)
        {
            return Define(name, kind, hostDefault, null, choices);
        }

        private static Parameter Define(string name, ParameterKind kind, string hostDefault, string boardDefault)
        {
            return Add(new Parameter(_count, name, kind, hostDefault, boardDefault));
        }

        private static Parameter Define(string name, ParameterKind kind, string hostDefault, string boardDefault, string choices)
        {
            return Add(new ChoiceParameter(_count, name, kind, hostDefault, boardDefault, choices));
        }

        private static Parameter Add(Parameter parameter)
        {
            Table[_count++] = parameter;
            return parameter;
        }
    }
}

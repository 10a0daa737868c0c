using System;
using Emailcore.Nano.Config;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Wire;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Smtp.Server
{
    /// <summary>
    /// One SMTP server session (RFC 5321 §4.1.4 order, RFC 2920 pipelining, RFC 3207 STARTTLS, RFC 4954 AUTH)
    /// over fixed buffers allocated once; a session object serves one connection after another.
    /// </summary>
    public sealed partial class SmtpSession
    {
        /// <summary>RFC 5321 §4.5.3.1.4: a command line is at most 512 octets with its CRLF.</summary>
        public const int CommandLineLimit = 512;

        /// <summary>RFC 4954 §4: an AUTH command or response line may be up to 12288 octets.</summary>
        public const int AuthLineLimit = 12288;

        /// <summary>RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets with its CRLF; longer ones pass through in pieces.</summary>
        public const int ReaderCapacity = 1024;

        public const int OutputCapacity = 512;

        private const int HeloCapacity = 255;
        private const int ScratchCapacity = 64;

        // Made at start: on nanoFramework even a string literal is an allocation, and this reply is sent when there is none left.
        private static readonly byte[] OutOfMemoryHead = Ascii.GetBytes("421 4.3.2 ");
        private static readonly byte[] OutOfMemoryTail = Ascii.GetBytes(" Error: out of memory, closing connection\r\n");

        private readonly ServerSettings _settings;
        private readonly IMessageSink _sink;
        private readonly IClock _clock;
        private readonly ILog _log;
        private readonly LineReader _reader = new LineReader(ReaderCapacity);
        private readonly DataReader _data = new DataReader();
        private readonly Deadline _deadline;
        private readonly OutputBuffer _output;
        private readonly Envelope _envelope;
        private readonly CommandParser _parser = new CommandParser();
        private readonly Base64Decoder _decoder = new Base64Decoder();
        private readonly byte[] _helo = new byte[HeloCapacity];
        private readonly byte[] _localName = new byte[ScratchCapacity];
        private readonly byte[] _scratch = new byte[ScratchCapacity];
        private readonly ReceivedHeader _received;
        private readonly IClientLookup _lookup;

        // smtpd_peername_lookup only: the client's confirmed name; null otherwise, so nothing is allocated for it.
        private readonly byte[] _clientName;

        private IConnection _connection;
        private string _client;
        private string _last;
        private string _authMethod;
        private string _authUser;
        private int _heloLength;
        private int _localNameLength;
        private int _clientNameLength;
        private bool _heloIsAddress;
        private bool _heloLookedUp;
        private AddressMatch _heloMatch;
        private bool _senderLiteral;
        private bool _helloSeen;
        private bool _esmtp;
        private bool _relayAllowed;
        private bool _tlsOffered;
        private bool _submission;
        private bool _sinkOpen;
        private int _errors;
        private int _commands;
        private int _failedCommands;
        private int _decodedLength;

        /// <param name="lookup">DNS about the client, needed when <see cref="ServerSettings.NeedsClientLookup"/>; else null.</param>
        public SmtpSession(ServerSettings settings, IMessageSink sink, IClock clock, ILog log, IClientLookup lookup = null)
        {
            if (lookup == null && settings.NeedsClientLookup)
            {
                throw new ArgumentException("smtpd_peername_lookup and smtpd_reject_unmatched_helo_hostname need a client lookup");
            }

            _settings = settings;
            _lookup = lookup;
            _clientName = settings.PeernameLookup ? new byte[HeloCapacity] : null;
            _sink = sink;
            _clock = clock;
            _log = log;
            _deadline = new Deadline(clock);
            _output = new OutputBuffer(OutputCapacity, _deadline);
            _envelope = new Envelope(settings.EnvelopeBufferSize, settings.RecipientLimit);
            _received = new ReceivedHeader(_scratch);
        }

        /// <summary>Bytes of fixed buffers this session holds, TLS excluded (the ≤ 4 KiB budget on a board).</summary>
        public int FixedBufferBytes
        {
            get { return ReaderCapacity + OutputCapacity + HeloCapacity + 2 * ScratchCapacity + _envelope.Arena.Length + 5 * 4 * _envelope.MaxRecipients + (_clientName == null ? 0 : _clientName.Length); }
        }

        /// <summary>Cuts the current connection (graceful stop past its bound); the session ends at its next read or write.</summary>
        public void Abort()
        {
            IConnection connection = _connection;
            if (connection != null)
            {
                connection.Close();
            }
        }

        /// <summary>
        /// Serves one connection until QUIT, an error limit, a timeout or the peer going away; always closes it.
        /// <paramref name="mode"/>: Smtps starts with the TLS handshake; Submission and Smtps require AUTH before MAIL.
        /// </summary>
        public void Run(IConnection connection, ListenMode mode)
        {
            try
            {
                Serve(connection, mode);
            }
            catch (OutOfMemoryException)
            {
                // Out of memory again while ending the session (aborting the message, logging): make sure it is closed.
                _connection = null;
                _reader.Attach(null);
                _output.Attach(null);
                try
                {
                    connection.Close();
                }
                catch (ConnectionException)
                {
                }
            }
        }

        private void Serve(IConnection connection, ListenMode mode)
        {
            _connection = connection;
            _deadline.StartSession(_settings.SessionLimitMilliseconds);
            _reader.Attach(connection);
            _output.Attach(connection);
            _output.TimeoutMilliseconds = _settings.TimeoutMilliseconds;
            _errors = 0;
            _commands = 0;
            _failedCommands = 0;
            _relayAllowed = _settings.InMynetworks(connection.RemoteEndpoint);
            _tlsOffered = _settings.TlsOffered && _settings.TlsAdmission.Offers(connection.RemoteEndpoint);
            _submission = mode != ListenMode.Smtp;
            FillLocalName(connection.LocalEndpoint);
            ResetSession();
            try
            {
                // Inside the try: on nanoFramework even these literals are allocations, which may fail.
                _last = "CONNECT";
                _client = "unknown";
                string address = connection.RemoteEndpoint.AddressText();
                _client = "unknown[" + address + "]";
                if (_clientName != null)
                {
                    // Before the greeting, as Postfix does, so every line of the session names the client the same way.
                    _clientNameLength = _lookup.ConfirmedName(connection.RemoteEndpoint, _clientName, _deadline.Cap(_settings.ClientLookupMilliseconds));
                    if (_clientNameLength > 0)
                    {
                        _client = Ascii.GetString(_clientName, 0, _clientNameLength) + "[" + address + "]";
                    }
                }

                _log.Write(LogLevel.Info, "connect from " + _client);
                if (mode == ListenMode.Smtps)
                {
                    // RFC 8314 §3: on an implicit-TLS port the handshake comes before the greeting.
                    if (!_tlsOffered || !_settings.TlsAdmission.Enter(_clock, _settings.TlsHandshakeMilliseconds))
                    {
                        _log.Write(LogLevel.Warning, "implicit TLS refused to " + _client + (_tlsOffered ? ": smtpd_tls_handshake_limit reached" : ": not in smtpd_tls_networks"));
                        return;
                    }

                    try
                    {
                        connection.StartTlsServer(_deadline.Cap(_settings.TlsHandshakeMilliseconds));
                    }
                    finally
                    {
                        _settings.TlsAdmission.Leave();
                    }
                }

                _output.Append("220 ");
                _output.Append(_localName, 0, _localNameLength);
                _output.Append(" ESMTP");
                _output.AppendCrLf();
                while (Step())
                {
                }

                _output.Flush();
            }
            catch (ConnectionException e)
            {
                _log.Write(LogLevel.Info, "lost connection after " + _last + " from " + _client + ": " + e.Message);
            }
            catch (OutOfMemoryException)
            {
                // The heap ran out somewhere in this session (a board's 79 KB): nothing of the transaction was
                // acknowledged, so it is aborted below and the client told to come back (RFC 5321 §4.2.5: 421 closes).
                OutOfMemory();
            }
            finally
            {
                if (_sinkOpen)
                {
                    _sinkOpen = false;
                    _sink.Abort();
                }

                Array.Clear(_envelope.Arena, 0, _envelope.Arena.Length);
                connection.Close();
                _connection = null;

                // A finished slot must not keep its last connection (a socket, an SslStream) alive until the next client.
                _reader.Attach(null);
                _output.Attach(null);
                _log.Write(LogLevel.Info, "disconnect from " + _client + " commands=" + (_commands - _failedCommands).ToString() + "/" + _commands.ToString());
            }
        }

        /// <summary>421 4.3.2 after the replies already due, from bytes made at start (no allocation); then the session ends.</summary>
        private void OutOfMemory()
        {
            try
            {
                _output.Append(OutOfMemoryHead, 0, OutOfMemoryHead.Length);
                _output.Append(_localName, 0, _localNameLength);
                _output.Append(OutOfMemoryTail, 0, OutOfMemoryTail.Length);
                _output.Flush();
                _log.Write(LogLevel.Error, "out of memory after " + _last + " from " + _client);
            }
            catch (Exception)
            {
                // The peer went away, or logging needed memory that is not there: closing is all that is left.
            }
        }

        private bool Step()
        {
            // RFC 2920 §3.2: answers to a batch go out together, when the client has nothing more queued.
            if (!_reader.HasBufferedInput)
            {
                _output.Flush();
            }

            // A client that keeps pipelining commands still stops at the session's limit.
            if (_deadline.SessionOver)
            {
                return TimedOut();
            }

            // RFC 5321 §4.5.3.2.7: smtpd_timeout is for the whole command line, every piece of an overlong one included.
            _deadline.Start(_settings.TimeoutMilliseconds);
            LineStatus status = _reader.ReadLine(_deadline);
            if (status == LineStatus.TimedOut)
            {
                return TimedOut();
            }

            if (status == LineStatus.Closed)
            {
                _log.Write(LogLevel.Info, "lost connection after " + _last + " from " + _client);
                return false;
            }

            _commands++;
            byte[] line = _reader.Buffer;
            int offset = _reader.LineOffset;
            int end = offset + _reader.LineLength;
            int argument;
            SmtpVerb verb = CommandParser.ParseVerb(line, offset, _reader.LineLength, out argument);
            if (verb == SmtpVerb.Auth)
            {
                return Auth(status, argument);
            }

            if (status == LineStatus.Partial || _reader.LineLength + 2 > CommandLineLimit)
            {
                _last = "UNKNOWN";
                return SkipLine(status) && Reject("500 5.5.2 Error: line too long");
            }

            // Trailing spaces are common from LAN devices and carry no meaning.
            while (end > argument && line[end - 1] == ' ')
            {
                end--;
            }

            switch (verb)
            {
                case SmtpVerb.Ehlo:
                    return Hello(line, argument, end, true);
                case SmtpVerb.Helo:
                    return Hello(line, argument, end, false);
                case SmtpVerb.Mail:
                    return Mail(line, argument, end);
                case SmtpVerb.Rcpt:
                    return Rcpt(line, argument, end);
                case SmtpVerb.Data:
                    return Data(argument, end);
                case SmtpVerb.Rset:
                    _last = "RSET";
                    if (argument < end)
                    {
                        return Reject("501 5.5.4 Syntax: RSET");
                    }

                    _envelope.Clear();
                    return Reply("250 2.0.0 Ok");
                case SmtpVerb.Noop:
                    _last = "NOOP";
                    return Reply("250 2.0.0 Ok");
                case SmtpVerb.Quit:
                    _last = "QUIT";
                    Reply("221 2.0.0 Bye");
                    return false;
                case SmtpVerb.Vrfy:
                    _last = "VRFY";
                    // RFC 5321 §3.5.3: 252 when we will not say whether the user exists.
                    return argument < end ? Reply("252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery") : Reject("501 5.5.4 Syntax: VRFY address");
                case SmtpVerb.Help:
                    _last = "HELP";
                    return Help();
                case SmtpVerb.StartTls:
                    return StartTls(argument, end);
                case SmtpVerb.NotImplemented:
                    _last = "UNKNOWN";
                    return Reject("502 5.5.1 Error: command not implemented");
                default:
                    _last = "UNKNOWN";
                    return Reject("500 5.5.2 Error: command not recognized");
            }
        }

        private bool Hello(byte[] line, int argument, int end, bool esmtp)
        {
            _last = esmtp ? "EHLO" : "HELO";
            if (argument >= end)
            {
                return Reject(esmtp ? "501 5.5.4 Syntax: EHLO hostname" : "501 5.5.4 Syntax: HELO hostname");
            }

            if (!_parser.IsValidHelo(line, argument, end - argument, _settings.StrictEnvelopes, _settings.HeloBareNames))
            {
                return Reject("501 5.5.4 Error: EHLO/HELO needs a fully qualified domain name or an address literal");
            }

            // RFC 5321 §4.1.4: EHLO/HELO also resets any transaction in progress.
            Array.Copy(line, argument, _helo, 0, end - argument);
            _heloLength = end - argument;
            _heloIsAddress = _parser.HeloIsAddress;
            _heloLookedUp = false;
            _helloSeen = true;
            _esmtp = esmtp;
            _envelope.Clear();
            if (!esmtp)
            {
                _output.Append("250 ");
                _output.Append(_localName, 0, _localNameLength);
                _output.AppendCrLf();
                return true;
            }

            _output.Append("250-");
            _output.Append(_localName, 0, _localNameLength);
            _output.AppendCrLf();
            _output.Append("250-PIPELINING");
            _output.AppendCrLf();
            _output.Append("250-SIZE ");
            _output.AppendDecimal(_settings.MessageSizeLimit);
            _output.AppendCrLf();
            if (StartTlsOffered)
            {
                _output.Append("250-STARTTLS");
                _output.AppendCrLf();
            }

            if (AuthOffered)
            {
                _output.Append("250-AUTH PLAIN LOGIN");
                _output.AppendCrLf();
            }

            _output.Append("250-ENHANCEDSTATUSCODES");
            _output.AppendCrLf();
            _output.Append("250-8BITMIME");
            _output.AppendCrLf();
            _output.Append("250-DSN");
            _output.AppendCrLf();
            _output.Append("250 SMTPUTF8");
            _output.AppendCrLf();
            return true;
        }

        private bool Mail(byte[] line, int argument, int end)
        {
            _last = "MAIL";
            if (!_helloSeen)
            {
                return Reject("503 5.5.1 Error: send HELO/EHLO first");
            }

            if (_envelope.HasReversePath)
            {
                return Reject("503 5.5.1 Error: nested MAIL command");
            }

            if (_settings.TlsRequired && !Tls)
            {
                return Reject("530 5.7.0 Must issue a STARTTLS command first");
            }

            if (_submission && _authUser == null && !_relayAllowed)
            {
                // RFC 6409 §4.3: a submission port takes mail only from authenticated clients (or trusted networks).
                return Reject("530 5.7.0 Authentication required");
            }

            if (!_parser.ParseMail(line, argument, end, _settings.StrictEnvelopes))
            {
                return Reject(_parser.Error);
            }

            DateTime now;
            if (!_clock.TryGetUtcNow(out now))
            {
                // The Received header needs the date (RFC 5321 §4.4); a board before SNTP defers rather than guess.
                return Reject("451 4.3.2 Error: system clock not yet set, try again later");
            }

            _envelope.Clear();
            _envelope.SetReversePath(line, _parser.MailboxOffset, _parser.MailboxLength);
            // Only when the policy is on: on a board even the literal "localhost" is an allocation.
            _senderLiteral = _settings.RejectLiteralSender && _parser.DomainOffset >= 0
                && (_parser.DomainIsLiteral || DomainName.IsLocalhost(line, _parser.DomainOffset, _parser.DomainLength));
            bool nonAscii = _parser.NonAscii;
            int seen = 0;
            int p = _parser.ParamsOffset;
            while (_parser.NextParam(line, ref p, end))
            {
                string problem = MailParam(line, ref seen);
                if (problem != null)
                {
                    _envelope.Clear();
                    return Reject(problem);
                }
            }

            if (_parser.ParamFailed)
            {
                _envelope.Clear();
                return Reject(_parser.Error);
            }

            if (nonAscii && !_envelope.SmtpUtf8)
            {
                _envelope.Clear();
                return Reject("553 5.6.7 Must declare SMTPUTF8 to send UTF8 addresses");
            }

            if (_envelope.DeclaredSize > _settings.MessageSizeLimit)
            {
                _envelope.Clear();
                return Reject("552 5.3.4 Message size exceeds fixed limit");
            }

            if (_envelope.DeclaredSize >= 0 && !_sink.HasRoom(_envelope.DeclaredSize))
            {
                _envelope.Clear();
                return Reject("452 4.3.1 Insufficient system storage");
            }

            return Reply("250 2.1.0 Ok");
        }

        /// <summary>One MAIL parameter (RFC 1870 SIZE, RFC 6152 BODY, RFC 6531 SMTPUTF8, RFC 4954 AUTH, RFC 3461 RET/ENVID).</summary>
        private string MailParam(byte[] line, ref int seen)
        {
            int k = _parser.KeyOffset;
            int kn = _parser.KeyLength;
            int v = _parser.ValueOffset;
            int vn = _parser.ValueLength;
            int bit;
            if (_esmtp && Ascii.EqualsIgnoreCase(line, k, kn, "SIZE"))
            {
                bit = 1;
                long size;
                if (vn < 0 || vn > 20 || !Ascii.IsDigits(line, v, vn))
                {
                    return "501 5.5.4 Bad SIZE syntax";
                }

                // RFC 1870 §4: size-value is 1*20DIGIT; one too large to count is larger than any limit.
                if (!Ascii.TryParseDecimal(line, v, vn, long.MaxValue / 2, out size))
                {
                    size = long.MaxValue / 2;
                }

                _envelope.DeclaredSize = size;
            }
            else if (_esmtp && Ascii.EqualsIgnoreCase(line, k, kn, "BODY"))
            {
                bit = 2;
                _envelope.Body = (BodyType)Pick(line, v, vn, "7BIT", "8BITMIME");
                if (_envelope.Body == BodyType.Unspecified)
                {
                    return "501 5.5.4 Unsupported BODY type";
                }
            }
            else if (_esmtp && Ascii.EqualsIgnoreCase(line, k, kn, "SMTPUTF8"))
            {
                bit = 4;
                if (vn >= 0)
                {
                    return "501 5.5.4 Bad SMTPUTF8 syntax";
                }

                _envelope.SmtpUtf8 = true;
            }
            else if (_esmtp && Ascii.EqualsIgnoreCase(line, k, kn, "AUTH"))
            {
                bit = 8;
                if (vn < 0 || !CommandParser.IsXtext(line, v, vn))
                {
                    return "501 5.5.4 Bad AUTH syntax";
                }

                // RFC 4954 §5: an AUTH= identity is trusted only from an authenticated client; otherwise it is <>.
                if (_authUser != null && !(vn == 2 && line[v] == '<' && line[v + 1] == '>'))
                {
                    _envelope.SetAuth(line, v, vn);
                }
            }
            else if (_esmtp && Ascii.EqualsIgnoreCase(line, k, kn, "RET"))
            {
                bit = 16;
                _envelope.Ret = (DsnReturn)Pick(line, v, vn, "FULL", "HDRS");
                if (_envelope.Ret == DsnReturn.Unspecified)
                {
                    return "501 5.5.4 Bad RET syntax";
                }
            }
            else if (_esmtp && Ascii.EqualsIgnoreCase(line, k, kn, "ENVID"))
            {
                bit = 32;

                // RFC 3461 §4.4: xtext, at most 100 characters.
                if (vn < 0 || vn > 100 || !CommandParser.IsXtext(line, v, vn) || !_envelope.SetEnvId(line, v, vn))
                {
                    return "501 5.5.4 Bad ENVID syntax";
                }
            }
            else
            {
                return "555 5.5.4 Unsupported option";
            }

            if ((seen & bit) != 0)
            {
                return "501 5.5.4 Error: parameter given twice";
            }

            seen |= bit;
            return null;
        }

        /// <summary>1 or 2 when the value is the first or second keyword (any case), 0 otherwise: BODY's and RET's enum values.</summary>
        private static int Pick(byte[] line, int offset, int length, string first, string second)
        {
            if (length > 0 && Ascii.EqualsIgnoreCase(line, offset, length, first))
            {
                return 1;
            }

            return length > 0 && Ascii.EqualsIgnoreCase(line, offset, length, second) ? 2 : 0;
        }

        private bool Rcpt(byte[] line, int argument, int end)
        {
            _last = "RCPT";
            if (!_envelope.HasReversePath)
            {
                return Reject("503 5.5.1 Error: need MAIL command");
            }

            if (!_parser.ParseRcpt(line, argument, end, _settings.StrictEnvelopes))
            {
                return Reject(_parser.Error);
            }

            if (_parser.NonAscii && !_envelope.SmtpUtf8)
            {
                return Reject("553 5.6.7 Must declare SMTPUTF8 to send UTF8 addresses");
            }

            string refusal = ClientRefusal();
            if (refusal != null)
            {
                return RejectRecipient(refusal, line);
            }

            if (!_relayAllowed && _authUser == null && !IsLocalRecipient())
            {
                // RFC 5321 §3.6.2 / RFC 5321 §7.1: no open relay.
                return RejectRecipient("554 5.7.1 <" + Utf8.GetString(line, _parser.MailboxOffset, _parser.MailboxLength) + ">: Relay access denied", line);
            }

            int notify = 0;
            int orcptOffset = 0;
            int orcptLength = 0;
            int mailbox = _parser.MailboxOffset;
            int mailboxLength = _parser.MailboxLength;
            int p = _parser.ParamsOffset;
            while (_parser.NextParam(line, ref p, end))
            {
                int k = _parser.KeyOffset;
                int kn = _parser.KeyLength;
                int v = _parser.ValueOffset;
                int vn = _parser.ValueLength;
                bool isNotify = _esmtp && Ascii.EqualsIgnoreCase(line, k, kn, "NOTIFY");
                bool isOrcpt = _esmtp && Ascii.EqualsIgnoreCase(line, k, kn, "ORCPT");
                if ((isNotify && notify != 0) || (isOrcpt && orcptLength != 0))
                {
                    return Reject("501 5.5.4 Error: parameter given twice");
                }

                if (isNotify)
                {
                    notify = CommandParser.ParseNotify(line, v, vn);
                    if (notify < 0)
                    {
                        return Reject("501 5.5.4 Bad NOTIFY syntax");
                    }
                }
                else if (isOrcpt)
                {
                    if (!CommandParser.IsOrcpt(line, v, vn))
                    {
                        return Reject("501 5.5.4 Bad ORCPT syntax");
                    }

                    orcptOffset = v;
                    orcptLength = vn;
                }
                else
                {
                    return Reject("555 5.5.4 Unsupported option");
                }
            }

            if (_parser.ParamFailed)
            {
                return Reject(_parser.Error);
            }

            // RFC 5321 §4.5.3.1.10: 452 for recipients past the limit; the client sends them in a later transaction.
            if (_envelope.RecipientCount >= _settings.RecipientLimit
                || !_envelope.AddRecipient(line, mailbox, mailboxLength, notify, line, orcptOffset, orcptLength))
            {
                return Reject("452 4.5.3 Error: too many recipients");
            }

            return Reply("250 2.1.5 Ok");
        }

        /// <summary>
        /// The RFC 5321bis Applicability Statement's policies for clients outside mynetworks that did not AUTH, at RCPT as
        /// Postfix's default smtpd_delay_reject = yes has them (so the log names sender and recipient, and a client that
        /// mishandles a refused EHLO or MAIL still gets its answer): the reply, or null when the client passes.
        /// </summary>
        private string ClientRefusal()
        {
            if (_relayAllowed || _authUser != null)
            {
                return null;
            }

            // AS §2.4: an IP address or localhost (RFC 6761 §6.3) in EHLO hides which host this is.
            if (_settings.RejectLiteralHelo && (_heloIsAddress || DomainName.IsLocalhost(_helo, 0, _heloLength)))
            {
                return "550 5.7.1 <" + HeloText() + ">: Helo command rejected: An IP address or localhost is not a host name";
            }

            // AS §2.1: the EHLO name's address records must hold the client's address (asked once per EHLO).
            if (_settings.RejectUnmatchedHelo && !_heloIsAddress)
            {
                if (!_heloLookedUp)
                {
                    _heloMatch = _lookup.Matches(HeloText(), _connection.RemoteEndpoint, _deadline.Cap(_settings.ClientLookupMilliseconds));
                    _heloLookedUp = true;
                }

                if (_heloMatch == AddressMatch.Failed)
                {
                    return "450 4.7.1 <" + HeloText() + ">: Helo command rejected: Host name lookup failed, try again later";
                }

                if (_heloMatch == AddressMatch.NoMatch)
                {
                    return "550 5.7.1 <" + HeloText() + ">: Helo command rejected: Host name has no address record of your address";
                }
            }

            // AS §2.4: the same for the domain of the sender's address.
            if (_settings.RejectLiteralSender && _senderLiteral)
            {
                return "550 5.7.1 <" + _envelope.ReversePath() + ">: Sender address rejected: An address literal or localhost is not a mail domain";
            }

            return null;
        }

        private string HeloText()
        {
            return Ascii.GetString(_helo, 0, _heloLength);
        }

        /// <summary>A refused recipient: the reply, and Postfix's NOQUEUE line naming the whole transaction.</summary>
        private bool RejectRecipient(string reply, byte[] line)
        {
            _output.AppendUtf8(reply);
            _output.AppendCrLf();
            _log.Write(LogLevel.Info, "NOQUEUE: reject: RCPT from " + _client + ": " + reply + "; from=<" + _envelope.ReversePath() + "> to=<"
                + Utf8.GetString(line, _parser.MailboxOffset, _parser.MailboxLength) + "> proto=" + Protocol() + " helo=<" + HeloText() + ">");
            return Counted();
        }

        private bool IsLocalRecipient()
        {
            if (_parser.DomainOffset < 0)
            {
                return true;
            }

            if (_parser.DomainIsLiteral)
            {
                return _parser.Literal.SameAddress(_connection.LocalEndpoint);
            }

            return _settings.IsLocalDomain(_reader.Buffer, _parser.DomainOffset, _parser.DomainLength);
        }

        private bool Data(int argument, int end)
        {
            _last = "DATA";
            if (!_envelope.HasReversePath)
            {
                return Reject("503 5.5.1 Error: need MAIL command");
            }

            if (_envelope.RecipientCount == 0)
            {
                // RFC 2920 §3.1: DATA after all recipients failed.
                return Reject("554 5.5.1 Error: no valid recipients");
            }

            if (argument < end)
            {
                return Reject("501 5.5.4 Syntax: DATA");
            }

            DateTime now;
            long id;
            try
            {
                id = _clock.TryGetUtcNow(out now) ? _sink.Open(_envelope) : -1;
            }
            catch (StoreException e)
            {
                _log.Write(LogLevel.Warning, "cannot open a queue file: " + e.Message);
                id = -1;
                now = DateTime.MinValue;
            }

            if (id < 0)
            {
                return Reject("452 4.3.1 Insufficient system storage");
            }

            _sinkOpen = true;
            LogClient(id);
            Reply("354 End data with <CR><LF>.<CR><LF>");
            _output.Flush();
            string failure = null;
            int received = 0;
            try
            {
                received = _received.Write(_sink, _helo, _heloLength, _clientName, _clientNameLength, _connection.RemoteEndpoint, _connection.TlsProtocol, _localName, _localNameLength, Protocol(), id, _envelope, now);
            }
            catch (StoreException e)
            {
                failure = StoreFailed(e);
            }

            long size = 0;
            _data.Start();
            while (true)
            {
                // Each data line (or 1 KiB of a longer one) must arrive within smtpd_timeout; the session's limit bounds the sum.
                _deadline.Start(_settings.TimeoutMilliseconds);
                LineStatus status = _reader.ReadLine(_deadline);
                if (status == LineStatus.TimedOut || status == LineStatus.Closed)
                {
                    _sinkOpen = false;
                    _sink.Abort();
                    _envelope.Clear();
                    if (status == LineStatus.TimedOut)
                    {
                        return TimedOut();
                    }

                    _log.Write(LogLevel.Info, "lost connection after DATA (" + size.ToString() + " bytes) from " + _client);
                    return false;
                }

                // The line end is still in the buffer after the line: the data reader sees the bytes as they came.
                int count = _reader.LineLength + (status == LineStatus.Line ? (_reader.EndedWithCrLf ? 2 : 1) : 0);
                if (!DataLine(_reader.Buffer, _reader.LineOffset, count, ref size, ref failure))
                {
                    break;
                }
            }

            _last = "END-OF-MESSAGE";
            bool committed = false;
            if (failure == null)
            {
                try
                {
                    committed = _sink.Commit();
                }
                catch (StoreException e)
                {
                    failure = StoreFailed(e);
                }
            }

            _sinkOpen = false;
            if (!committed)
            {
                _sink.Abort();
                _envelope.Clear();
                string reply = failure ?? "452 4.3.1 Insufficient system storage";
                _log.Write(LogLevel.Info, QueueId.Format(id) + ": reject: DATA from " + _client + ": " + reply);
                return Reject(reply);
            }

            _log.Write(LogLevel.Info, QueueId.Format(id) + ": from=<" + _envelope.ReversePath() + ">, size=" + (received + size).ToString() + ", nrcpt=" + _envelope.RecipientCount.ToString() + " (queue active)");
            _envelope.Clear();
            _output.Append("250 2.0.0 Ok: queued as ");
            int n = QueueId.Write(id, _scratch, 0);
            _output.Append(_scratch, 0, n);
            _output.AppendCrLf();
            return true;
        }

        /// <summary>Stores one data line, or a piece of a longer one, unless the message already failed; false at the end of the data.</summary>
        private bool DataLine(byte[] buffer, int offset, int count, ref long size, ref string failure)
        {
            // A line ends with its LF and LineReader never ends a piece with a CR, so no call keeps a byte back.
            while (count > 0)
            {
                DataStatus status = _data.Read(buffer, offset, count);
                if (status == DataStatus.BareNewline && _settings.ForbidBareNewline && failure == null)
                {
                    failure = "550 5.5.2 Error: bare <CR> or <LF> received (smtpd_forbid_bare_newline)";
                }

                int produced = _data.Produced;
                size += produced;
                if (failure == null && size > _settings.MessageSizeLimit)
                {
                    failure = "552 5.3.4 Message size exceeds fixed limit";
                }

                if (failure == null)
                {
                    try
                    {
                        if (produced > 0 && !_sink.Write(buffer, offset, produced))
                        {
                            failure = "452 4.3.1 Insufficient system storage";
                        }
                    }
                    catch (StoreException e)
                    {
                        failure = StoreFailed(e);
                    }
                }

                if (status == DataStatus.End)
                {
                    return false;
                }

                offset += _data.Consumed;
                count -= _data.Consumed;
            }

            return true;
        }

        private string StoreFailed(StoreException e)
        {
            _log.Write(LogLevel.Warning, "queue file write error: " + e.Message);
            return "451 4.3.0 Error: queue file write error";
        }

        private string Protocol()
        {
            if (!_esmtp)
            {
                return "SMTP";
            }

            bool tls = Tls;
            bool auth = _authUser != null;
            if (_envelope.SmtpUtf8)
            {
                return tls ? (auth ? "UTF8SMTPSA" : "UTF8SMTPS") : (auth ? "UTF8SMTPA" : "UTF8SMTP");
            }

            return tls ? (auth ? "ESMTPSA" : "ESMTPS") : (auth ? "ESMTPA" : "ESMTP");
        }

        private bool StartTls(int argument, int end)
        {
            _last = "STARTTLS";
            if (!_tlsOffered)
            {
                return Reject("502 5.5.1 Error: command not implemented");
            }

            if (Tls)
            {
                return Reject("554 5.5.1 Error: TLS already active");
            }

            if (argument < end)
            {
                return Reject("501 5.5.4 Syntax: STARTTLS");
            }

            if (!_settings.TlsAdmission.TryEnter())
            {
                _log.Write(LogLevel.Info, "STARTTLS from " + _client + " deferred: smtpd_tls_handshake_limit handshake(s) already running");
                return Reject("454 4.7.0 TLS not available due to temporary reason");
            }

            try
            {
                Reply("220 2.0.0 Ready to start TLS");
                _output.Flush();
                if (_reader.HasBufferedInput)
                {
                    _log.Write(LogLevel.Warning, "discarding plaintext pipelined after STARTTLS from " + _client);
                }

                // RFC 3207 §4.2: nothing sent before the handshake may be taken as sent under TLS (CVE-2011-0411).
                _reader.DiscardBuffered();
                _connection.StartTlsServer(_deadline.Cap(_settings.TlsHandshakeMilliseconds));
            }
            finally
            {
                _settings.TlsAdmission.Leave();
            }

            // RFC 3207 §4.2: forget everything learnt before; the client must EHLO again.
            ResetSession();
            return true;
        }

        private bool Tls
        {
            get { return _connection.TlsProtocol != null; }
        }

        private bool StartTlsOffered
        {
            get { return !Tls && _tlsOffered; }
        }

        /// <summary>The verbs this session takes now: STARTTLS and AUTH only when EHLO would offer them.</summary>
        private bool Help()
        {
            _output.Append("214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP");
            if (StartTlsOffered)
            {
                _output.Append(" STARTTLS");
            }

            if (AuthOffered)
            {
                _output.Append(" AUTH");
            }

            _output.AppendCrLf();
            return true;
        }

        private void ResetSession()
        {
            _helloSeen = false;
            _esmtp = false;
            _heloLength = 0;
            _heloLookedUp = false;
            _authUser = null;
            _authMethod = null;
            _envelope.Clear();
        }

        private void LogClient(long id)
        {
            string line = QueueId.Format(id) + ": client=" + _client;
            if (_authUser != null)
            {
                line += ", sasl_method=" + _authMethod + ", sasl_username=" + _authUser;
            }

            _log.Write(LogLevel.Info, line);
        }

        private void FillLocalName(Endpoint local)
        {
            // myhostname, or the address literal of the interface the client reached (RFC 5321 §4.1.3).
            string name = _settings.HostName;
            _localNameLength = name != null && name.Length > 0 ? Ascii.Copy(name, _localName, 0) : ReceivedHeader.FormatLiteral(local, _localName, 0);
        }

        /// <summary>Consumes the rest of an overlong line; false when the connection ended meanwhile.</summary>
        private bool SkipLine(LineStatus status)
        {
            while (status == LineStatus.Partial)
            {
                status = _reader.ReadLine(_deadline);
                if (status == LineStatus.TimedOut)
                {
                    return TimedOut();
                }

                if (status == LineStatus.Closed)
                {
                    return false;
                }
            }

            return true;
        }

        private bool TimedOut()
        {
            // RFC 5321 §4.5.3.2.7: the server timeout; or smtpd_session_time_limit, which bounds what one client holds.
            bool session = _deadline.SessionOver;
            _output.Append("421 4.4.2 ");
            _output.Append(_localName, 0, _localNameLength);
            _output.Append(session ? " Error: session time limit exceeded" : " Error: timeout exceeded");
            _output.AppendCrLf();
            _output.Flush();
            _log.Write(LogLevel.Info, (session ? "session time limit exceeded after " : "timeout after ") + _last + " from " + _client);
            return false;
        }

        private bool Reply(string line)
        {
            _output.Append(line);
            _output.AppendCrLf();
            return true;
        }

        /// <summary>An error reply; past smtpd_hard_error_limit the session ends with 421.</summary>
        private bool Reject(string line)
        {
            Reply(line);
            return Counted();
        }

        private bool Counted()
        {
            _failedCommands++;
            _errors++;
            if (_errors < _settings.HardErrorLimit)
            {
                return true;
            }

            _output.Append("421 4.7.0 ");
            _output.Append(_localName, 0, _localNameLength);
            _output.Append(" Error: too many errors");
            _output.AppendCrLf();
            _output.Flush();
            _log.Write(LogLevel.Info, "too many errors after " + _last + " from " + _client);
            return false;
        }
    }
}

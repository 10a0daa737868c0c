using System;
using Emailcore.Nano.Config;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Wire;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Smtp.Client
{
    /// <summary>
    /// One SMTP client session to one server (RFC 5321), reused for several messages. The contract:
    /// <see cref="Open"/> connects, reads the greeting, says EHLO (HELO when EHLO is refused), starts TLS as the
    /// level asks and authenticates; on failure it fills one result (a 4xx to retry later, or 535 when the
    /// server refused our credentials) and leaves the client closed. <see cref="Send"/> runs one transaction and
    /// fills one result per recipient: 2xx delivered, 4xx deferred, 5xx failed, each with the server's text.
    /// A broken connection defers whatever was not yet answered and closes the client. Buffers are fixed.
    /// </summary>
    public sealed class SmtpClient
    {
        /// <summary>How one connection attempt of <see cref="Open"/> ended; at Failed the reason is in its failure result.</summary>
        private enum ConnectOutcome
        {
            /// <summary>Greeted, EHLO said, TLS as the level asks.</summary>
            Ready,

            /// <summary>The handshake failed at level "may": try once more in plaintext.</summary>
            RetryWithoutTls,

            Failed,
        }

        private const int ReplyLineCapacity = 1024;

        private readonly INetwork _network;
        private readonly IClock _clock;
        private readonly ClientSettings _settings;
        private readonly LineReader _reader = new LineReader(ReplyLineCapacity);
        private readonly Deadline _deadline;
        private readonly OutputBuffer _output;
        private readonly byte[] _chunk = new byte[512];
        private readonly Reply _reply;
        private readonly Capabilities _capabilities = new Capabilities();
        private readonly ReplyLineHandler _onEhloLine;
        private readonly int[] _rcptCodes;
        private IConnection _connection;
        private bool _needsReset;
        private string _phase;
        private int _ehloLines;

        public SmtpClient(INetwork network, IClock clock, ClientSettings settings, int maxRecipients)
        {
            _network = network;
            _clock = clock;
            _settings = settings;
            _deadline = new Deadline(clock);
            _output = new OutputBuffer(1024, _deadline);
            _reply = new Reply(_reader, _deadline);
            _onEhloLine = OnEhloLine;
            _rcptCodes = new int[maxRecipients];
        }

        public bool IsOpen
        {
            get { return _connection != null; }
        }

        /// <summary>"host[address]:port" of the server, for logs.</summary>
        public string Relay { get; private set; }

        public Capabilities Capabilities
        {
            get { return _capabilities; }
        }

        /// <summary>The TLS protocol of the session, or null in plaintext.</summary>
        public string TlsProtocol
        {
            get { return _connection == null ? null : _connection.TlsProtocol; }
        }

        /// <summary>True when the last <see cref="Open"/> failed because the server answered 535 to our credentials.</summary>
        public bool AuthenticationFailed { get; private set; }

        /// <summary>
        /// Opens a session. <paramref name="verifyName"/> is the name the certificate must match at verify/secure
        /// (and the SNI name); <paramref name="implicitTls"/> starts TLS before the greeting (RFC 8314); <paramref name="dane"/>, when
        /// not null, are the TLSA records the handshake must match instead.
        /// </summary>
        public bool Open(Endpoint address, string serverName, string verifyName, TlsLevel level, bool implicitTls, SaslCredentials credentials, TlsaRecords dane, DeliveryResult failure)
        {
            Close();
            AuthenticationFailed = false;
            Relay = serverName + "[" + address.AddressText() + "]:" + address.Port.ToString();
            DateTime unused;
            if (level >= TlsLevel.Verify && !_clock.TryGetUtcNow(out unused))
            {
                // A certificate's validity can't be checked without the time: wait for it rather than skip the check.
                return Fail(failure, 454, "4.7.5", "TLS certificate of " + Relay + " can't be verified before the clock is set; will retry");
            }

            bool tryTls = level != TlsLevel.None;
            while (true)
            {
                ConnectOutcome outcome = Connect(address, serverName, verifyName, level, implicitTls, tryTls, dane, failure);
                if (outcome == ConnectOutcome.Ready)
                {
                    break;
                }

                // RFC 3207 §4.1 with Postfix's "may": a failed handshake is retried once in plaintext on a new connection.
                if (outcome == ConnectOutcome.RetryWithoutTls)
                {
                    tryTls = false;
                    continue;
                }

                return false;
            }

            if (credentials != null && !Authenticate(credentials, failure))
            {
                Close();
                return false;
            }

            return true;
        }

        /// <summary>Sends one message to the recipients at <paramref name="indexes"/>[0..count) of the envelope.</summary>
        public void Send(Envelope envelope, int[] indexes, int count, IMessageSource content, DeliveryResult[] results)
        {
            if (!Fits(envelope, content.Length, indexes, count, results))
            {
                return;
            }

            // RFC 2920 §3.1: with PIPELINING, MAIL, every RCPT and DATA go out as one group and are answered after
            // DATA; without it each command waits for its reply. That is all pipelining changes.
            bool pipelining = _capabilities.Pipelining;
            try
            {
                if (_needsReset && !Rset(indexes, count, results))
                {
                    return;
                }

                _phase = "MAIL FROM";
                WriteMail(envelope, content.Length);
                if (!pipelining && !MailReply(indexes, count, results))
                {
                    return;
                }

                int accepted = 0;
                for (int i = 0; i < count; i++)
                {
                    WriteRcpt(envelope, indexes[i]);
                    if (!pipelining)
                    {
                        _phase = "RCPT TO";
                        if (!RcptReply(i, indexes, count, results))
                        {
                            return;
                        }

                        accepted += Accepted(i);
                    }
                }

                if (!pipelining && accepted == 0)
                {
                    _needsReset = true;
                    return;
                }

                Command("DATA");
                if (pipelining && !BatchReplies(indexes, count, results, out accepted))
                {
                    return;
                }

                if (Data(indexes, count, results, accepted))
                {
                    Content(accepted > 0 ? content : null, indexes, count, results, accepted);
                }
            }
            catch (ConnectionException e)
            {
                BrokenBy(indexes, count, results, _phase, e.Message);
            }
            catch (StoreException e)
            {
                // The content could not be read mid-DATA: the final dot must never follow a part of it, and the
                // half-sent transaction cannot be reused, so the connection goes; the message was not sent.
                Unanswered(indexes, count, results, "4.3.0", "451 4.3.0 message not sent to " + Relay + ": " + e.Message);
            }
        }

        /// <summary>False, with every result set, when the message needs what the server did not offer.</summary>
        private bool Fits(Envelope envelope, long size, int[] indexes, int count, DeliveryResult[] results)
        {
            // RFC 6152 §3 / RFC 6531 §3.2: never send 8-bit or UTF-8 mail to a server that did not offer it.
            if (envelope.Body == BodyType.EightBitMime && !_capabilities.EightBitMime)
            {
                SetAll(indexes, count, results, 554, "5.6.3", "554 5.6.3 message needs 8BITMIME, which " + Relay + " does not support", false);
                return false;
            }

            if (envelope.SmtpUtf8 && !_capabilities.SmtpUtf8)
            {
                SetAll(indexes, count, results, 553, "5.6.7", "553 5.6.7 message needs SMTPUTF8, which " + Relay + " does not support", false);
                return false;
            }

            if (_capabilities.Size > 0 && size > _capabilities.Size)
            {
                SetAll(indexes, count, results, 552, "5.3.4", "552 5.3.4 message of " + size.ToString() + " bytes exceeds the limit of " + _capabilities.Size.ToString() + " bytes that " + Relay + " announced in EHLO SIZE", false);
                return false;
            }

            return true;
        }

        // RFC 5321 §4.1.1.5: the last transaction was left unfinished; RSET before the next.
        private bool Rset(int[] indexes, int count, DeliveryResult[] results)
        {
            _phase = "RSET";
            Command("RSET");
            if (!ReadReply(_settings.MailTimeout) || _reply.Code != 250)
            {
                Broken(indexes, count, results);
                return false;
            }

            _needsReset = false;
            return true;
        }

        /// <summary>Reads MAIL's reply; false when the transaction is over (refused: every result set; or broken).</summary>
        private bool MailReply(int[] indexes, int count, DeliveryResult[] results)
        {
            _output.Flush();
            if (!ReadReply(_settings.MailTimeout))
            {
                Broken(indexes, count, results);
                return false;
            }

            if (_reply.Code != 250)
            {
                SetAll(indexes, count, results, _reply.Code, _reply.Status(), _reply.Summary(), true);
                _needsReset = true;
                return false;
            }

            return true;
        }

        /// <summary>Reads the reply to the RCPT at <paramref name="position"/> of the batch; false when the connection broke.</summary>
        private bool RcptReply(int position, int[] indexes, int count, DeliveryResult[] results)
        {
            _output.Flush();
            if (!ReadReply(_settings.RcptTimeout))
            {
                Broken(indexes, count, results);
                return false;
            }

            _rcptCodes[position] = _reply.Code;
            if (!IsAccepted(_reply.Code))
            {
                results[indexes[position]].SetReply(_reply.Code, _reply.Status(), _reply.Summary(), Relay);
            }

            return true;
        }

        /// <summary>
        /// The replies to a pipelined MAIL and its RCPTs, read after DATA went out. A refused MAIL answers for every
        /// recipient once their replies (which then mean nothing) have been read.
        /// </summary>
        private bool BatchReplies(int[] indexes, int count, DeliveryResult[] results, out int accepted)
        {
            accepted = 0;
            _phase = "MAIL FROM";
            if (!ReadReply(_settings.MailTimeout))
            {
                Broken(indexes, count, results);
                return false;
            }

            int mailCode = _reply.Code;
            string mailStatus = _reply.Status();
            string mailText = _reply.Summary();
            _phase = "RCPT TO";
            for (int i = 0; i < count; i++)
            {
                if (mailCode != 250)
                {
                    if (!ReadReply(_settings.RcptTimeout))
                    {
                        Broken(indexes, count, results);
                        return false;
                    }
                }
                else if (!RcptReply(i, indexes, count, results))
                {
                    return false;
                }
                else
                {
                    accepted += Accepted(i);
                }
            }

            if (mailCode != 250)
            {
                SetAll(indexes, count, results, mailCode, mailStatus, mailText, true);
            }

            return true;
        }

        /// <summary>Reads DATA's reply; true at 354, when the content is to follow.</summary>
        private bool Data(int[] indexes, int count, DeliveryResult[] results, int accepted)
        {
            _phase = "DATA";
            if (!ReadReply(_settings.DataInitTimeout))
            {
                Broken(indexes, count, results);
                return false;
            }

            if (_reply.Code == 354)
            {
                return true;
            }

            if (accepted > 0)
            {
                SetAccepted(indexes, count, results, _reply.Code, _reply.Status(), _reply.Summary());
            }

            _needsReset = true;
            return false;
        }

        /// <summary>
        /// The content and the final dot, then the reply that answers for every accepted recipient. With none
        /// accepted (a pipelined batch) an empty message is sent, as RFC 2920 §3.1 asks after a 354.
        /// </summary>
        private void Content(IMessageSource content, int[] indexes, int count, DeliveryResult[] results, int accepted)
        {
            _phase = "end of data";
            WriteContent(content);
            if (!ReadReply(_settings.DataDoneTimeout))
            {
                Broken(indexes, count, results);
                return;
            }

            if (accepted > 0)
            {
                SetAccepted(indexes, count, results, _reply.Code, _reply.Status(), _reply.Summary());
            }
        }

        /// <summary>Says QUIT (RFC 5321 §4.1.1.10) and closes; a server that does not answer in time is closed anyway.</summary>
        public void Quit()
        {
            if (_connection == null)
            {
                return;
            }

            try
            {
                _output.Append("QUIT");
                _output.AppendCrLf();
                _output.Flush();
                ReadReply(_settings.HeloTimeout);
            }
            catch (ConnectionException)
            {
                // Closing anyway.
            }

            Close();
        }

        public void Close()
        {
            if (_connection != null)
            {
                _connection.Close();
                _connection = null;
            }
        }

        private ConnectOutcome Connect(Endpoint address, string serverName, string verifyName, TlsLevel level, bool implicitTls, bool tryTls, TlsaRecords dane, DeliveryResult failure)
        {
            try
            {
                _connection = _network.Connect(address, _settings.ConnectTimeout);
            }
            catch (ConnectionException e)
            {
                Fail(failure, 451, "4.4.1", "connect to " + Relay + " failed: " + e.Message);
                return ConnectOutcome.Failed;
            }

            _reader.Attach(_connection);
            _output.Attach(_connection);
            _output.TimeoutMilliseconds = _settings.HeloTimeout;
            _needsReset = false;
            string phase = "greeting";
            try
            {
                if (implicitTls && !Handshake(verifyName, level, dane, failure))
                {
                    return ConnectOutcome.Failed;
                }

                if (!ReadReply(_settings.HeloTimeout))
                {
                    return Lost(failure, phase);
                }

                if (_reply.Code != 220)
                {
                    return Refused(failure, "greeted with " + _reply.Summary());
                }

                phase = "EHLO";
                if (!Hello())
                {
                    return _reply.Error != null ? Lost(failure, phase) : Refused(failure, "refused HELO: " + _reply.Summary());
                }

                if (implicitTls || !tryTls)
                {
                    return RequireTls(level, implicitTls, failure);
                }

                if (!_capabilities.StartTls)
                {
                    return RequireTls(level, false, failure);
                }

                phase = "STARTTLS";
                _output.Append("STARTTLS");
                _output.AppendCrLf();
                _output.Flush();
                if (!ReadReply(_settings.HeloTimeout))
                {
                    return Lost(failure, phase);
                }

                if (_reply.Code != 220)
                {
                    return level == TlsLevel.May ? ConnectOutcome.Ready : Refused(failure, "refused STARTTLS: " + _reply.Summary());
                }

                // RFC 3207 §4.2: nothing the server sent before TLS counts afterwards.
                _reader.DiscardBuffered();
                if (!Handshake(verifyName, level, dane, failure))
                {
                    return level == TlsLevel.May ? ConnectOutcome.RetryWithoutTls : ConnectOutcome.Failed;
                }

                // RFC 3207 §4.2: forget the plaintext EHLO answer and ask again.
                phase = "EHLO after STARTTLS";
                if (!Hello())
                {
                    return _reply.Error != null ? Lost(failure, phase) : Refused(failure, "refused EHLO after STARTTLS: " + _reply.Summary());
                }

                return ConnectOutcome.Ready;
            }
            catch (ConnectionException e)
            {
                Close();
                Fail(failure, 451, "4.4.2", "lost connection with " + Relay + " while in " + phase + ": " + e.Message);
                return ConnectOutcome.Failed;
            }
        }

        private ConnectOutcome RequireTls(TlsLevel level, bool haveTls, DeliveryResult failure)
        {
            if (TlsLevels.Required(level) && !haveTls)
            {
                Close();
                Fail(failure, 454, "4.7.4", "TLS is required, but was not offered by " + Relay);
                return ConnectOutcome.Failed;
            }

            return ConnectOutcome.Ready;
        }

        private bool Handshake(string verifyName, TlsLevel level, TlsaRecords dane, DeliveryResult failure)
        {
            try
            {
                _connection.StartTlsClient(verifyName, level >= TlsLevel.Verify, dane, _settings.StartTlsTimeout);
                return true;
            }
            catch (ConnectionException e)
            {
                Close();
                Fail(failure, 454, "4.7.5", "TLS with " + Relay + " failed: " + e.Message);
                return false;
            }
        }

        // RFC 5321 §4.1.1.1 and §3.2: EHLO first; a server that answers 500 or 502 gets HELO.
        private bool Hello()
        {
            string name = HeloName();
            _ehloLines = 0;
            _capabilities.Clear(true);
            _output.Append("EHLO ");
            _output.Append(name);
            _output.AppendCrLf();
            _output.Flush();
            if (!_reply.Read(_settings.HeloTimeout, _onEhloLine))
            {
                return false;
            }

            if (_reply.Code == 250)
            {
                return true;
            }

            if (_reply.Code != 500 && _reply.Code != 502)
            {
                return false;
            }

            _capabilities.Clear(false);
            _output.Append("HELO ");
            _output.Append(name);
            _output.AppendCrLf();
            _output.Flush();
            return ReadReply(_settings.HeloTimeout) && _reply.Code == 250;
        }

        private void OnEhloLine(byte[] buffer, int offset, int count)
        {
            // The first line names the server; the rest are extensions.
            if (_ehloLines++ > 0)
            {
                _capabilities.Add(buffer, offset, count);
            }
        }

        /// <summary>myhostname, or the address literal of our end of the connection (RFC 5321 §4.1.3).</summary>
        private string HeloName()
        {
            if (_settings.HeloName.Length > 0)
            {
                return _settings.HeloName;
            }

            Endpoint local = _connection.LocalEndpoint;
            return local.IsIPv6 ? "[IPv6:" + local.AddressText() + "]" : "[" + local.AddressText() + "]";
        }

        // RFC 4954: the strongest mechanism both sides have; XOAUTH2 when we hold a token.
        private bool Authenticate(SaslCredentials credentials, DeliveryResult failure)
        {
            if (_settings.SaslTlsOnly && _connection.TlsProtocol == null)
            {
                return Fail(failure, 454, "4.7.0", "credentials for " + Relay + " are not sent without TLS (smtp_sasl_tls_only)");
            }

            try
            {
                if (credentials.OAuthToken != null && _capabilities.AuthXoauth2)
                {
                    Command("AUTH XOAUTH2 " + Base64("user=" + credentials.User + "\u0001auth=Bearer " + credentials.OAuthToken + "\u0001\u0001"));
                    if (ReadReply(_settings.HeloTimeout) && _reply.Code == 334)
                    {
                        // The server's 334 carries a JSON error; an empty line asks for the final reply.
                        Command(string.Empty);
                        ReadReply(_settings.HeloTimeout);
                    }
                }
                else if (credentials.Password != null && _capabilities.AuthPlain)
                {
                    Command("AUTH PLAIN " + Base64("\u0000" + credentials.User + "\u0000" + credentials.Password));
                    ReadReply(_settings.HeloTimeout);
                }
                else if (credentials.Password != null && _capabilities.AuthLogin)
                {
                    Command("AUTH LOGIN");
                    if (ReadReply(_settings.HeloTimeout) && _reply.Code == 334)
                    {
                        Command(Base64(credentials.User));
                        if (ReadReply(_settings.HeloTimeout) && _reply.Code == 334)
                        {
                            Command(Base64(credentials.Password));
                            ReadReply(_settings.HeloTimeout);
                        }
                    }
                }
                else
                {
                    return Fail(failure, 454, "4.7.0", Relay + " offers no authentication mechanism we can use with the configured credentials");
                }
            }
            catch (ConnectionException e)
            {
                return Fail(failure, 451, "4.4.2", "lost connection with " + Relay + " during AUTH: " + e.Message);
            }

            if (_reply.Error != null)
            {
                return Fail(failure, 451, "4.4.2", "lost connection with " + Relay + " during AUTH: " + _reply.Error);
            }

            if (_reply.Code == 235)
            {
                return true;
            }

            // RFC 4954 §6: 535 means these credentials are wrong; retrying them unchanged only adds failures.
            AuthenticationFailed = _reply.Code == 535;
            return Fail(failure, _reply.Code, _reply.Status(), "authentication to " + Relay + " failed: " + _reply.Summary());
        }

        private void Command(string ascii)
        {
            _output.Append(ascii);
            _output.AppendCrLf();
            _output.Flush();
        }

        private static string Base64(string text)
        {
            byte[] bytes = Utf8.GetBytes(text);
            return Convert.ToBase64String(bytes);
        }

        // RFC 5321 §4.1.1.2 with RFC 1870 SIZE, RFC 6152 BODY, RFC 6531 SMTPUTF8, RFC 3461 RET and ENVID.
        private void WriteMail(Envelope envelope, long size)
        {
            _output.TimeoutMilliseconds = _settings.MailTimeout;
            _output.Append("MAIL FROM:<");
            _output.Append(envelope.Arena, envelope.ReversePathOffset, envelope.ReversePathLength);
            _output.Append(">");
            if (_capabilities.Size >= 0)
            {
                _output.Append(" SIZE=");
                _output.AppendDecimal(size);
            }

            if (_capabilities.EightBitMime && envelope.Body != BodyType.Unspecified)
            {
                _output.Append(envelope.Body == BodyType.EightBitMime ? " BODY=8BITMIME" : " BODY=7BIT");
            }

            if (envelope.SmtpUtf8)
            {
                _output.Append(" SMTPUTF8");
            }

            if (_capabilities.Dsn)
            {
                if (envelope.Ret != DsnReturn.Unspecified)
                {
                    _output.Append(envelope.Ret == DsnReturn.Full ? " RET=FULL" : " RET=HDRS");
                }

                if (envelope.EnvIdLength > 0)
                {
                    _output.Append(" ENVID=");
                    _output.Append(envelope.Arena, envelope.EnvIdOffset, envelope.EnvIdLength);
                }
            }

            _output.AppendCrLf();
        }

        // RFC 5321 §4.1.1.3 with RFC 3461 NOTIFY and ORCPT; never a source route.
        private void WriteRcpt(Envelope envelope, int index)
        {
            _output.Append("RCPT TO:<");
            _output.Append(envelope.Arena, envelope.RecipientOffset(index), envelope.RecipientLength(index));
            _output.Append(">");
            if (_capabilities.Dsn)
            {
                int notify = envelope.RecipientNotify(index);
                if (notify != 0)
                {
                    _output.Append(" NOTIFY=");
                    if ((notify & Notify.Never) != 0)
                    {
                        _output.Append("NEVER");
                    }
                    else
                    {
                        bool first = true;
                        first = NotifyWord(notify, Notify.Success, "SUCCESS", first);
                        first = NotifyWord(notify, Notify.Failure, "FAILURE", first);
                        NotifyWord(notify, Notify.Delay, "DELAY", first);
                    }
                }

                if (envelope.OrcptLength(index) > 0)
                {
                    _output.Append(" ORCPT=");
                    _output.Append(envelope.Arena, envelope.OrcptOffset(index), envelope.OrcptLength(index));
                }
            }

            _output.AppendCrLf();
        }

        private bool NotifyWord(int notify, int flag, string word, bool first)
        {
            if ((notify & flag) == 0)
            {
                return first;
            }

            if (!first)
            {
                _output.Append(",");
            }

            _output.Append(word);
            return false;
        }

        private int Accepted(int position)
        {
            return IsAccepted(_rcptCodes[position]) ? 1 : 0;
        }

        private static bool IsAccepted(int code)
        {
            return code == 250 || code == 251;
        }

        /// <summary>The content with DATA transparency (Wire/DataWriter), then the final dot; a null source sends an empty message.</summary>
        private void WriteContent(IMessageSource content)
        {
            _output.TimeoutMilliseconds = _settings.DataTransferTimeout;
            int state = DataWriter.Start;
            if (content != null)
            {
                content.Rewind();
                int n;
                while ((n = content.Read(_chunk, 0, _chunk.Length)) > 0)
                {
                    state = DataWriter.Write(_output, _chunk, 0, n, state);
                }
            }

            DataWriter.End(_output, state);
            _output.Flush();
        }

        private bool ReadReply(int timeoutMilliseconds)
        {
            return _reply.Read(timeoutMilliseconds, null);
        }

        private void SetAll(int[] indexes, int count, DeliveryResult[] results, int code, string status, string text, bool replied)
        {
            for (int i = 0; i < count; i++)
            {
                if (replied)
                {
                    results[indexes[i]].SetReply(code, status, text, Relay);
                }
                else
                {
                    results[indexes[i]].Set(code, status, text, Relay);
                }
            }
        }

        private void SetAccepted(int[] indexes, int count, DeliveryResult[] results, int code, string status, string text)
        {
            for (int i = 0; i < count; i++)
            {
                if (IsAccepted(_rcptCodes[i]))
                {
                    results[indexes[i]].SetReply(code, status, text, Relay);
                }
            }
        }

        private void Broken(int[] indexes, int count, DeliveryResult[] results)
        {
            BrokenBy(indexes, count, results, _phase, _reply.Error);
        }

        // Recipients without a final answer yet are deferred: the server may or may not have the message.
        private void BrokenBy(int[] indexes, int count, DeliveryResult[] results, string phase, string why)
        {
            Unanswered(indexes, count, results, "4.4.2", "451 4.4.2 lost connection with " + Relay + " while sending " + phase + ": " + why);
        }

        /// <summary>Defers every recipient without a final answer and closes the connection, which is not usable any more.</summary>
        private void Unanswered(int[] indexes, int count, DeliveryResult[] results, string status, string text)
        {
            for (int i = 0; i < count; i++)
            {
                DeliveryResult r = results[indexes[i]];
                if (r.Code == 0)
                {
                    r.Set(451, status, text, Relay);
                }
            }

            Close();
        }

        private ConnectOutcome Lost(DeliveryResult failure, string phase)
        {
            string why = _reply.Error;
            Close();
            Fail(failure, 451, "4.4.2", (_reply.TimedOut ? "conversation with " + Relay + " timed out" : "lost connection with " + Relay + ": " + why) + " while in " + phase);
            return ConnectOutcome.Failed;
        }

        private ConnectOutcome Refused(DeliveryResult failure, string why)
        {
            Close();
            Fail(failure, 451, "4.3.0", Relay + " " + why);
            return ConnectOutcome.Failed;
        }

        private bool Fail(DeliveryResult failure, int code, string status, string text)
        {
            failure.Set(code, status, code.ToString() + " " + status + " " + text, Relay);
            return false;
        }
    }
}

using Emailcore.Nano.Config;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Smtp.Server
{
    public enum SmtpVerb
    {
        Unknown,
        Helo,
        Ehlo,
        Mail,
        Rcpt,
        Data,
        Rset,
        Noop,
        Quit,
        Vrfy,
        Help,
        StartTls,
        Auth,

        /// <summary>Known commands we do not implement (EXPN, TURN, ETRN, BDAT): 502.</summary>
        NotImplemented,
    }

    /// <summary>
    /// Parses command lines in place, over the line reader's buffer: results are offsets into it, errors are
    /// reply literals, so a line costs no allocation. One instance per session.
    /// </summary>
    public sealed class CommandParser
    {
        /// <summary>RFC 5321 §4.5.3.1.3: a path is at most 256 octets, brackets included.</summary>
        public const int MaxPath = 256;

        /// <summary>RFC 5321 §4.5.3.1.1.</summary>
        public const int MaxLocalPart = 64;

        private readonly byte[] _scratch16 = new byte[16];
        private readonly Endpoint _literal = new Endpoint();

        /// <summary>The reply for the last failed parse.</summary>
        public string Error { get; private set; }

        public int MailboxOffset { get; private set; }

        /// <summary>0 for the null path &lt;&gt;.</summary>
        public int MailboxLength { get; private set; }

        /// <summary>The domain part, or -1 for &lt;postmaster&gt; without one.</summary>
        public int DomainOffset { get; private set; }

        public int DomainLength { get; private set; }

        /// <summary>The domain is an address literal; <see cref="Literal"/> holds its address.</summary>
        public bool DomainIsLiteral { get; private set; }

        public Endpoint Literal
        {
            get { return _literal; }
        }

        /// <summary>The last <see cref="IsValidHelo"/> argument was an address literal or a bare IP address, not a name.</summary>
        public bool HeloIsAddress { get; private set; }

        /// <summary>The mailbox has octets above 0x7F (needs SMTPUTF8, RFC 6531 §3.4).</summary>
        public bool NonAscii { get; private set; }

        /// <summary>Where the ESMTP parameters start (after the path).</summary>
        public int ParamsOffset { get; private set; }

        /// <summary>True when the last <see cref="NextParam"/> stopped at a malformed parameter rather than at the end.</summary>
        public bool ParamFailed { get; private set; }

        public int KeyOffset { get; private set; }

        public int KeyLength { get; private set; }

        public int ValueOffset { get; private set; }

        /// <summary>-1 when the parameter has no "=value".</summary>
        public int ValueLength { get; private set; }

        /// <summary>The verb; <paramref name="argument"/> is where its argument starts (after one space).</summary>
        public static SmtpVerb ParseVerb(byte[] line, int offset, int length, out int argument)
        {
            int end = offset + length;
            int p = offset;
            while (p < end && line[p] != ' ')
            {
                p++;
            }

            int n = p - offset;
            argument = p < end ? p + 1 : end;
            if (n == 4)
            {
                if (Ascii.EqualsIgnoreCase(line, offset, 4, "MAIL")) { return SmtpVerb.Mail; }
                if (Ascii.EqualsIgnoreCase(line, offset, 4, "RCPT")) { return SmtpVerb.Rcpt; }
                if (Ascii.EqualsIgnoreCase(line, offset, 4, "EHLO")) { return SmtpVerb.Ehlo; }
                if (Ascii.EqualsIgnoreCase(line, offset, 4, "HELO")) { return SmtpVerb.Helo; }
                if (Ascii.EqualsIgnoreCase(line, offset, 4, "DATA")) { return SmtpVerb.Data; }
                if (Ascii.EqualsIgnoreCase(line, offset, 4, "RSET")) { return SmtpVerb.Rset; }
                if (Ascii.EqualsIgnoreCase(line, offset, 4, "NOOP")) { return SmtpVerb.Noop; }
                if (Ascii.EqualsIgnoreCase(line, offset, 4, "QUIT")) { return SmtpVerb.Quit; }
                if (Ascii.EqualsIgnoreCase(line, offset, 4, "VRFY")) { return SmtpVerb.Vrfy; }
                if (Ascii.EqualsIgnoreCase(line, offset, 4, "HELP")) { return SmtpVerb.Help; }
                if (Ascii.EqualsIgnoreCase(line, offset, 4, "AUTH")) { return SmtpVerb.Auth; }
                if (Ascii.EqualsIgnoreCase(line, offset, 4, "EXPN") || Ascii.EqualsIgnoreCase(line, offset, 4, "TURN")
                    || Ascii.EqualsIgnoreCase(line, offset, 4, "ETRN") || Ascii.EqualsIgnoreCase(line, offset, 4, "BDAT"))
                {
                    return SmtpVerb.NotImplemented;
                }
            }
            else if (n == 8 && Ascii.EqualsIgnoreCase(line, offset, 8, "STARTTLS"))
            {
                return SmtpVerb.StartTls;
            }

            return SmtpVerb.Unknown;
        }

        /// <summary>"FROM:&lt;path&gt; params" (RFC 5321 §4.1.1.2). <paramref name="strict"/> off: the strict_rfc821_envelopes=no tolerances.</summary>
        public bool ParseMail(byte[] line, int offset, int end, bool strict)
        {
            return ParseCommandPath(line, offset, end, strict, true);
        }

        /// <summary>"TO:&lt;path&gt; params" (RFC 5321 §4.1.1.3).</summary>
        public bool ParseRcpt(byte[] line, int offset, int end, bool strict)
        {
            return ParseCommandPath(line, offset, end, strict, false);
        }

        /// <summary>
        /// The next "keyword[=value]" after <paramref name="p"/> (RFC 5321 §4.1.2 Mail-parameters); false at the end.
        /// A malformed one sets <see cref="Error"/> and <see cref="ParamFailed"/>.
        /// </summary>
        public bool NextParam(byte[] line, ref int p, int end)
        {
            ParamFailed = false;
            while (p < end && line[p] == ' ')
            {
                p++;
            }

            if (p >= end)
            {
                return false;
            }

            KeyOffset = p;
            while (p < end && line[p] != ' ' && line[p] != '=')
            {
                byte c = line[p];
                if (!IsAlnum(c) && c != '-')
                {
                    return Fail("501 5.5.4 Error: bad parameter syntax");
                }

                p++;
            }

            KeyLength = p - KeyOffset;
            ValueLength = -1;
            if (KeyLength == 0)
            {
                return Fail("501 5.5.4 Error: bad parameter syntax");
            }

            if (p < end && line[p] == '=')
            {
                p++;
                ValueOffset = p;
                while (p < end && line[p] != ' ')
                {
                    // esmtp-value: %d33-60 / %d62-126 (RFC 5321 §4.1.2)
                    if (line[p] < 33 || line[p] > 126 || line[p] == '=')
                    {
                        return Fail("501 5.5.4 Error: bad parameter value");
                    }

                    p++;
                }

                ValueLength = p - ValueOffset;
                if (ValueLength == 0)
                {
                    return Fail("501 5.5.4 Error: bad parameter value");
                }
            }

            return true;
        }

        /// <summary>RFC 3461 §4 xtext: xchar or "+" two upper-case hex digits.</summary>
        public static bool IsXtext(byte[] text, int offset, int length)
        {
            int end = offset + length;
            for (int i = offset; i < end; i++)
            {
                byte c = text[i];
                if (c == '+')
                {
                    if (i + 2 >= end || !IsUpperHex(text[i + 1]) || !IsUpperHex(text[i + 2]))
                    {
                        return false;
                    }

                    i += 2;
                }
                else if (c < 33 || c > 126 || c == '=')
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>RFC 3461 §4.1: NEVER alone, or a comma list of SUCCESS, FAILURE, DELAY; -1 when bad.</summary>
        public static int ParseNotify(byte[] line, int offset, int length)
        {
            if (length <= 0)
            {
                return -1;
            }

            int flags = 0;
            int end = offset + length;
            int p = offset;
            while (p <= end)
            {
                int q = p;
                while (q < end && line[q] != ',')
                {
                    q++;
                }

                int n = q - p;
                int flag = Ascii.EqualsIgnoreCase(line, p, n, "NEVER") ? Notify.Never
                    : Ascii.EqualsIgnoreCase(line, p, n, "SUCCESS") ? Notify.Success
                    : Ascii.EqualsIgnoreCase(line, p, n, "FAILURE") ? Notify.Failure
                    : Ascii.EqualsIgnoreCase(line, p, n, "DELAY") ? Notify.Delay : 0;
                if (flag == 0 || (flags & flag) != 0)
                {
                    return -1;
                }

                flags |= flag;
                p = q + 1;
            }

            return (flags & Notify.Never) != 0 && flags != Notify.Never ? -1 : flags;
        }

        /// <summary>RFC 3461 §4.2: ORCPT=addr-type;xtext, addr-type an atom.</summary>
        public static bool IsOrcpt(byte[] line, int offset, int length)
        {
            if (length <= 0 || length > 500)
            {
                return false;
            }

            int semi = offset;
            while (semi < offset + length && line[semi] != ';')
            {
                semi++;
            }

            return semi > offset && semi < offset + length - 1 && CommandParser.IsXtext(line, semi + 1, offset + length - semi - 1);
        }

        /// <summary>
        /// An EHLO/HELO argument (RFC 5321 §4.1.1.1, 5321bis: an FQDN or an address literal). Tolerated when allowed:
        /// a bare IP address (strict off; Arduino libraries send "EHLO 127.0.0.1") and a dotless name (smtpd_helo_bare_names).
        /// </summary>
        public bool IsValidHelo(byte[] line, int offset, int length, bool strict, bool bareNames)
        {
            if (length <= 0 || length > 255)
            {
                return false;
            }

            HeloIsAddress = true;
            if (line[offset] == '[')
            {
                return ParseLiteral(line, offset, length);
            }

            if (DomainName.IsValid(line, offset, length, false))
            {
                HeloIsAddress = false;
                if (bareNames)
                {
                    return true;
                }

                for (int i = offset; i < offset + length; i++)
                {
                    if (line[i] == '.')
                    {
                        return true;
                    }
                }

                return false;
            }

            return !strict && IPAddressText.TryParse(line, offset, length, _literal, _scratch16);
        }

        private bool ParseCommandPath(byte[] line, int offset, int end, bool strict, bool mail)
        {
            string syntax = mail ? "501 5.5.4 Syntax: MAIL FROM:<address>" : "501 5.5.4 Syntax: RCPT TO:<address>";
            int keyword = mail ? 5 : 3;
            if (end - offset < keyword || !Ascii.EqualsIgnoreCase(line, offset, keyword, mail ? "FROM:" : "TO:"))
            {
                return Fail(syntax);
            }

            int p = offset + keyword;
            if (!strict)
            {
                // lwIP's client sends "MAIL FROM: <x>".
                while (p < end && line[p] == ' ')
                {
                    p++;
                }
            }

            if (p >= end)
            {
                return Fail(syntax);
            }

            int close;
            if (line[p] == '<')
            {
                close = p + 1;
                while (close < end && (line[close] != '>' || InQuotes(line, p + 1, close)))
                {
                    close++;
                }

                if (close == end)
                {
                    return Fail(syntax);
                }

                if (close + 1 < end && line[close + 1] != ' ')
                {
                    return Fail(syntax);
                }

                ParamsOffset = close + 1;
                p++;
            }
            else if (!strict)
            {
                // Postfix with strict_rfc821_envelopes=no: an address without brackets, ending at a space.
                close = p;
                while (close < end && line[close] != ' ')
                {
                    close++;
                }

                ParamsOffset = close;
            }
            else
            {
                return Fail(syntax);
            }

            if (close - p + 2 > MaxPath)
            {
                return Fail(mail ? "501 5.1.7 Error: path too long" : "501 5.1.3 Error: path too long");
            }

            return ParsePath(line, p, close, mail);
        }

        private bool ParsePath(byte[] line, int p, int end, bool mail)
        {
            string bad = mail ? "501 5.1.7 Bad sender address syntax" : "501 5.1.3 Bad recipient address syntax";
            NonAscii = false;
            DomainIsLiteral = false;
            if (p == end)
            {
                // RFC 5321 §4.5.5: the null reverse-path; a null forward-path does not exist.
                MailboxOffset = p;
                MailboxLength = 0;
                DomainOffset = -1;
                DomainLength = 0;
                return mail || Fail(bad);
            }

            if (line[p] == '@')
            {
                // RFC 5321 §4.1.1.3 / 5321bis: a source route is accepted and dropped; only the mailbox is kept.
                int colon = p;
                while (colon < end && line[colon] != ':')
                {
                    colon++;
                }

                if (colon == end || !IsRoute(line, p, colon))
                {
                    return Fail(bad);
                }

                p = colon + 1;
                if (p == end)
                {
                    // A route and no mailbox: nothing may be read at end, which can be the buffer's end.
                    return Fail(bad);
                }
            }

            MailboxOffset = p;
            int at;
            if (line[p] == '"')
            {
                // Quoted-string (RFC 5321 §4.1.2): qtextSMTP or quoted-pairSMTP.
                int q = p + 1;
                while (q < end && line[q] != '"')
                {
                    byte c = line[q];
                    if (c == '\\')
                    {
                        if (q + 1 >= end || line[q + 1] < 32 || line[q + 1] > 126)
                        {
                            return Fail(bad);
                        }

                        q++;
                    }
                    else if (c < 32 || c == 127)
                    {
                        return Fail(bad);
                    }
                    else if (c > 127)
                    {
                        NonAscii = true;
                    }

                    q++;
                }

                if (q == end)
                {
                    return Fail(bad);
                }

                at = q + 1;
            }
            else
            {
                // Dot-string: atoms of atext joined by single dots.
                at = p;
                bool dotAllowed = false;
                while (at < end && line[at] != '@')
                {
                    byte c = line[at];
                    if (c == '.')
                    {
                        if (!dotAllowed)
                        {
                            return Fail(bad);
                        }

                        dotAllowed = false;
                    }
                    else if (IsAtext(c))
                    {
                        dotAllowed = true;
                        NonAscii |= c > 127;
                    }
                    else
                    {
                        return Fail(bad);
                    }

                    at++;
                }

                if (at > p && !dotAllowed)
                {
                    return Fail(bad);
                }
            }

            if (at - p > MaxLocalPart || at == p)
            {
                return Fail(bad);
            }

            MailboxLength = end - p;
            if (at == end)
            {
                // RFC 5321 §4.1.1.3: "<Postmaster>" without a domain, any case, in RCPT only.
                DomainOffset = -1;
                DomainLength = 0;
                return (!mail && Ascii.EqualsIgnoreCase(line, p, at - p, "postmaster")) || Fail(bad);
            }

            if (line[at] != '@')
            {
                return Fail(bad);
            }

            DomainOffset = at + 1;
            DomainLength = end - DomainOffset;
            if (DomainLength > 0 && line[DomainOffset] == '[')
            {
                DomainIsLiteral = true;
                return ParseLiteral(line, DomainOffset, DomainLength) || Fail(bad);
            }

            for (int i = DomainOffset; i < end; i++)
            {
                NonAscii |= line[i] > 127;
            }

            return DomainName.IsValid(line, DomainOffset, DomainLength, true) || Fail(bad);
        }

        /// <summary>RFC 5321 §4.1.3: "[192.0.2.1]" or "[IPv6:2001:db8::1]"; the address lands in <see cref="Literal"/>.</summary>
        private bool ParseLiteral(byte[] line, int offset, int length)
        {
            if (length < 3 || line[offset] != '[' || line[offset + length - 1] != ']')
            {
                return false;
            }

            int p = offset + 1;
            int n = length - 2;
            if (n > 5 && Ascii.EqualsIgnoreCase(line, p, 5, "IPv6:"))
            {
                for (int i = p + 5; i < p + n; i++)
                {
                    if (line[i] == ':')
                    {
                        return IPAddressText.TryParse(line, p + 5, n - 5, _literal, _scratch16) && _literal.IsIPv6;
                    }
                }

                return false;
            }

            return IPAddressText.TryParse(line, p, n, _literal, _scratch16) && !_literal.IsIPv6;
        }

        /// <summary>A-d-l = At-domain *( "," At-domain ), At-domain = "@" Domain.</summary>
        private static bool IsRoute(byte[] line, int p, int end)
        {
            while (p < end)
            {
                if (line[p] != '@')
                {
                    return false;
                }

                int q = p + 1;
                while (q < end && line[q] != ',')
                {
                    q++;
                }

                if (!DomainName.IsValid(line, p + 1, q - p - 1, true))
                {
                    return false;
                }

                p = q + 1;
                if (q == end)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool InQuotes(byte[] line, int from, int at)
        {
            bool quoted = false;
            for (int i = from; i < at; i++)
            {
                if (line[i] == '\\' && quoted)
                {
                    i++;
                }
                else if (line[i] == '"')
                {
                    quoted = !quoted;
                }
            }

            return quoted;
        }

        /// <summary>RFC 5322 atext, plus UTF-8 octets (RFC 6531 §3.3; the caller checks SMTPUTF8 was declared).</summary>
        private static bool IsAtext(byte c)
        {
            if (IsAlnum(c) || c > 127)
            {
                return true;
            }

            switch (c)
            {
                case (byte)'!': case (byte)'#': case (byte)'$': case (byte)'%': case (byte)'&': case (byte)'\'':
                case (byte)'*': case (byte)'+': case (byte)'-': case (byte)'/': case (byte)'=': case (byte)'?':
                case (byte)'^': case (byte)'_': case (byte)'`': case (byte)'{': case (byte)'|': case (byte)'}': case (byte)'~':
                    return true;
                default:
                    return false;
            }
        }

        private static bool IsAlnum(byte c)
        {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        }

        private static bool IsUpperHex(byte c)
        {
            return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
        }

        private bool Fail(string reply)
        {
            Error = reply;
            ParamFailed = true;
            return false;
        }
    }
}

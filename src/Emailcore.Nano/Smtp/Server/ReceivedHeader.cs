using System;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Smtp.Server
{
    /// <summary>
    /// The RFC 5321 §4.4 trace header the server prepends, in Postfix's shape:
    /// "from HELO ([ip])" or, with smtpd_peername_lookup, "from HELO (name [ip])", the TLS version, "by host (Emailcore.Nano) with PROTOCOL id ID", "for &lt;rcpt&gt;" with one
    /// recipient, and the date. Written in pieces through a small scratch buffer, so it allocates nothing.
    /// </summary>
    public sealed class ReceivedHeader
    {
        private readonly byte[] _scratch;
        private IMessageSink _sink;
        private int _length;

        /// <param name="scratch">At least 64 bytes, the caller's; used only during <see cref="Write"/>.</param>
        public ReceivedHeader(byte[] scratch)
        {
            _scratch = scratch;
        }

        /// <summary>
        /// Writes the header to <paramref name="sink"/>; <paramref name="protocol"/> is RFC 3848's or RFC 6531's name
        /// (ESMTPSA, UTF8SMTPS...), <paramref name="tls"/> the TLS version or null. <paramref name="clientName"/>: the
        /// client's confirmed name (length 0: none was, "unknown"), or null when no name was looked up. Returns the
        /// header's length, which the log's size= counts as part of the message as queued.
        /// </summary>
        public int Write(IMessageSink sink, byte[] helo, int heloLength, byte[] clientName, int clientNameLength, Endpoint client, string tls, byte[] by, int byLength, string protocol, long id, Envelope envelope, DateTime now)
        {
            _sink = sink;
            _length = 0;
            Sink("Received: from ");
            Put(helo, 0, heloLength);
            Sink(" (");
            if (clientName != null)
            {
                // RFC 5321 §4.4 TCP-info: the domain the client's address leads to, then the address literal.
                if (clientNameLength > 0)
                {
                    Put(clientName, 0, clientNameLength);
                }
                else
                {
                    Sink("unknown");
                }

                Sink(" ");
            }

            int n = FormatLiteral(client, _scratch, 0);
            Put(_scratch, 0, n);
            Sink(")\r\n");
            if (tls != null)
            {
                Sink("\t(using ");
                Sink(tls);
                Sink(")\r\n");
            }

            Sink("\tby ");
            Put(by, 0, byLength);
            Sink(" (Emailcore.Nano) with ");
            Sink(protocol);
            Sink(" id ");
            n = QueueId.Write(id, _scratch, 0);
            Put(_scratch, 0, n);
            if (envelope.RecipientCount == 1)
            {
                // Only one recipient is named, so a copy never discloses the others (as Postfix does).
                Sink("\r\n\tfor <");
                Put(envelope.Arena, envelope.RecipientOffset(0), envelope.RecipientLength(0));
                Sink(">");
            }

            Sink("; ");
            n = FormatDate(now, _scratch, 0);
            Put(_scratch, 0, n);
            Sink("\r\n");
            return _length;
        }

        private void Sink(string ascii)
        {
            Put(_scratch, 0, Ascii.Copy(ascii, _scratch, 0));
        }

        private void Put(byte[] bytes, int offset, int count)
        {
            _sink.Write(bytes, offset, count);
            _length += count;
        }

        /// <summary>RFC 5322 §3.3 date-time in UTC: "Sat, 28 Nov 2026 20:05:22 +0000".</summary>
        public static int FormatDate(DateTime utc, byte[] into, int offset)
        {
            const string Days = "SunMonTueWedThuFriSat";
            const string Months = "JanFebMarAprMayJunJulAugSepOctNovDec";
            int p = offset;
            int day = (int)utc.DayOfWeek * 3;
            for (int i = 0; i < 3; i++)
            {
                into[p++] = (byte)Days[day + i];
            }

            into[p++] = (byte)',';
            into[p++] = (byte)' ';
            p += Ascii.FormatDecimal(utc.Day, into, p);
            into[p++] = (byte)' ';
            int month = (utc.Month - 1) * 3;
            for (int i = 0; i < 3; i++)
            {
                into[p++] = (byte)Months[month + i];
            }

            into[p++] = (byte)' ';
            p += Ascii.FormatDecimal(utc.Year, into, p);
            into[p++] = (byte)' ';
            p = TwoDigits(utc.Hour, into, p);
            into[p++] = (byte)':';
            p = TwoDigits(utc.Minute, into, p);
            into[p++] = (byte)':';
            p = TwoDigits(utc.Second, into, p);
            p += Ascii.Copy(" +0000", into, p);
            return p - offset;
        }

        private static int TwoDigits(int value, byte[] into, int p)
        {
            into[p] = (byte)('0' + value / 10);
            into[p + 1] = (byte)('0' + value % 10);
            return p + 2;
        }

        /// <summary>"[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321 §4.1.3).</summary>
        public static int FormatLiteral(Endpoint address, byte[] into, int offset)
        {
            int p = offset;
            into[p++] = (byte)'[';
            if (address.IsIPv6)
            {
                p += Ascii.Copy("IPv6:", into, p);
            }

            p += IPAddressText.Format(address, into, p);
            into[p++] = (byte)']';
            return p - offset;
        }
    }
}

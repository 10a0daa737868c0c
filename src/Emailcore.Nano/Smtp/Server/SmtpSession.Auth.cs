using System;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Wire;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Smtp.Server
{
    /// <summary>The server side of RFC 4954 AUTH with the PLAIN (RFC 4616) and LOGIN mechanisms.</summary>
    public sealed partial class SmtpSession
    {
        // Outcomes of reading one AUTH response.
        private const int ResponseOk = 0;
        private const int ResponseCancelled = 1;
        private const int ResponseBad = 2;
        private const int ResponseTooLong = 3;
        private const int ResponseLost = 4;
        private const int ResponseTimedOut = 5;

        /// <summary>RFC 4954 §4 with smtpd_tls_auth_only: AUTH is offered over TLS only, so passwords never cross in plaintext.</summary>
        private bool AuthOffered
        {
            get { return _settings.AuthEnabled && _settings.Users != null && (Tls || !_settings.TlsAuthOnly); }
        }

        private bool Auth(LineStatus status, int argument)
        {
            _last = "AUTH";
            byte[] line = _reader.Buffer;
            int end = _reader.LineOffset + _reader.LineLength;
            int mechanism = argument;
            int p = argument;
            while (p < end && line[p] != ' ')
            {
                p++;
            }

            int mechanismLength = p - mechanism;
            string problem = null;
            if (!AuthOffered)
            {
                problem = "503 5.5.1 Error: authentication not enabled";
            }
            else if (!_esmtp)
            {
                problem = "503 5.5.1 Error: send EHLO first";
            }
            else if (_authUser != null)
            {
                problem = "503 5.5.1 Error: already authenticated";
            }
            else if (_envelope.HasReversePath)
            {
                // RFC 4954 §4: not during a mail transaction.
                problem = "503 5.5.1 Error: MAIL transaction in progress";
            }
            else if (mechanismLength == 0)
            {
                problem = "501 5.5.4 Syntax: AUTH mechanism";
            }

            bool plain = Ascii.EqualsIgnoreCase(line, mechanism, mechanismLength, "PLAIN");
            bool login = Ascii.EqualsIgnoreCase(line, mechanism, mechanismLength, "LOGIN");
            if (problem == null && !plain && !login)
            {
                problem = "504 5.5.4 Unrecognized authentication type";
            }

            if (problem != null)
            {
                return SkipLine(status) && Reject(problem);
            }

            _authMethod = plain ? "PLAIN" : "LOGIN";

            // The envelope's buffer is idle outside a transaction, so the decoded exchange lands there: the long
            // AUTH line (RFC 4954 §4) needs no buffer of its own; base64 is decoded as its pieces arrive.
            byte[] decoded = _envelope.Arena;
            int half = decoded.Length / 2;
            int result;
            bool initial = p < end;
            if (plain)
            {
                _decoder.Start(decoded, 0, decoded.Length);
                result = initial ? Response(status, p + 1, _reader.LineLength - (p + 1 - _reader.LineOffset)) : Challenge("334 ");
            }
            else
            {
                _decoder.Start(decoded, 0, half);
                result = initial ? Response(status, p + 1, _reader.LineLength - (p + 1 - _reader.LineOffset)) : Challenge("334 VXNlcm5hbWU6");
                int userLength = _decoder.Length;
                if (result == ResponseOk)
                {
                    _decoder.Start(decoded, half, decoded.Length - half);
                    result = Challenge("334 UGFzc3dvcmQ6");
                    if (result == ResponseOk)
                    {
                        // LOGIN's two answers become PLAIN's layout: user NUL password, both in the envelope buffer.
                        Array.Copy(decoded, half, decoded, userLength + 1, _decoder.Length);
                        decoded[userLength] = 0;
                        _decodedLength = userLength + 1 + _decoder.Length;
                    }
                }
            }

            if (plain && result == ResponseOk)
            {
                _decodedLength = _decoder.Length;
            }

            bool success = result == ResponseOk && Verify(decoded, _decodedLength, plain);
            Array.Clear(decoded, 0, decoded.Length);
            switch (result)
            {
                case ResponseLost:
                    return false;
                case ResponseTimedOut:
                    return TimedOut();
                case ResponseCancelled:
                    return Reject("501 5.7.0 Error: authentication aborted");
                case ResponseTooLong:
                    return Reject("500 5.5.6 Authentication Exchange line is too long");
                case ResponseBad:
                    return Reject("501 5.5.2 Error: cannot decode response");
            }

            if (!success)
            {
                _authUser = null;
                _log.Write(LogLevel.Warning, _client + ": SASL " + _authMethod + " authentication failed");
                _output.Flush();

                // A delay before 535 slows password guessing (Postfix's smtpd_error_sleep_time).
                _clock.Sleep(_settings.ErrorSleepMilliseconds);
                return Reject("535 5.7.8 Error: authentication failed");
            }

            return Reply("235 2.7.0 Authentication successful");
        }

        private int Challenge(string challenge)
        {
            Reply(challenge);
            _output.Flush();

            // The whole answer line, up to 12288 octets (RFC 4954 §4), must arrive within smtpd_timeout.
            _deadline.Start(_settings.TimeoutMilliseconds);
            LineStatus status = _reader.ReadLine(_deadline);
            if (status == LineStatus.TimedOut)
            {
                return ResponseTimedOut;
            }

            if (status == LineStatus.Closed)
            {
                _log.Write(LogLevel.Info, "lost connection after AUTH from " + _client);
                return ResponseLost;
            }

            if (status == LineStatus.Line && _reader.LineLength == 1 && _reader.Buffer[_reader.LineOffset] == '*')
            {
                // RFC 4954 §4: "*" cancels the exchange.
                return ResponseCancelled;
            }

            return Response(status, _reader.LineOffset, _reader.LineLength);
        }

        /// <summary>Decodes a response that starts at <paramref name="offset"/> of the current piece and may go on in more pieces; wipes what it read.</summary>
        private int Response(LineStatus status, int offset, int length)
        {
            int total = 0;
            bool empty = length == 1 && _reader.Buffer[offset] == '=' && status == LineStatus.Line;
            while (true)
            {
                total += _reader.LineLength;
                if (!empty)
                {
                    _decoder.Feed(_reader.Buffer, offset, length);
                }

                Array.Clear(_reader.Buffer, _reader.LineOffset, _reader.LineLength);
                if (status == LineStatus.Line)
                {
                    break;
                }

                status = _reader.ReadLine(_deadline);
                if (status == LineStatus.TimedOut)
                {
                    return ResponseTimedOut;
                }

                if (status == LineStatus.Closed)
                {
                    return ResponseLost;
                }

                offset = _reader.LineOffset;
                length = _reader.LineLength;
            }

            if (total + 2 > AuthLineLimit)
            {
                return ResponseTooLong;
            }

            // RFC 4954 §4: "=" is an empty initial response. Credentials too big for the buffer cannot be valid ones.
            return empty || _decoder.Finish() || _decoder.Overflowed ? ResponseOk : ResponseBad;
        }

        /// <summary>RFC 4616: [authzid] NUL authcid NUL passwd; we act for nobody else, so authzid is empty or the same user.</summary>
        private bool Verify(byte[] decoded, int length, bool plain)
        {
            SaslUsers users = _settings.Users;
            int first = -1;
            int second = -1;
            for (int i = 0; i < length; i++)
            {
                if (decoded[i] == 0)
                {
                    if (first < 0)
                    {
                        first = i;
                    }
                    else if (second < 0)
                    {
                        second = i;
                    }
                    else
                    {
                        return false;
                    }
                }
            }

            int userOffset;
            int userLength;
            int passOffset;
            if (plain)
            {
                if (second < 0)
                {
                    return false;
                }

                userOffset = first + 1;
                userLength = second - first - 1;
                passOffset = second + 1;
                if (first > 0 && (first != userLength || !Same(decoded, 0, userOffset, userLength)))
                {
                    return false;
                }
            }
            else
            {
                if (first < 0 || second >= 0)
                {
                    return false;
                }

                userOffset = 0;
                userLength = first;
                passOffset = first + 1;
            }

            if (userLength == 0 || !users.Check(decoded, userOffset, userLength, decoded, passOffset, length - passOffset))
            {
                return false;
            }

            _authUser = Utf8.GetString(decoded, userOffset, userLength);
            return true;
        }

        private static bool Same(byte[] b, int x, int y, int n)
        {
            for (int i = 0; i < n; i++)
            {
                if (b[x + i] != b[y + i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}

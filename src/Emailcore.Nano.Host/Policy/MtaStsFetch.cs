using System;
using System.IO;
using System.Text;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Host.Policy
{
    /// <summary>
    /// RFC 8461 §3: the "_mta-sts" TXT record and the policy over HTTPS, through the core's seams (INetwork, and the TLS
    /// of IConnection with certificate verification for the mta-sts host): one HTTP/1.1 GET, bounded in size and in time.
    /// </summary>
    public sealed class MtaStsFetch
    {
        /// <summary>RFC 8461 §3.3: the policy host is reached on the HTTPS port.</summary>
        public const int HttpsPort = 443;

        /// <summary>The largest response read: a policy is a few lines, so anything near this is not one.</summary>
        public const int ResponseLimit = 65536;

        private readonly INetwork _network;
        private readonly IClock _clock;
        private readonly int _timeout;

        public MtaStsFetch(INetwork network, IClock clock, int timeoutMilliseconds)
        {
            _network = network;
            _clock = clock;
            _timeout = timeoutMilliseconds;
        }

        /// <summary>
        /// RFC 8461 §3.1: the id of the one TXT record of "_mta-sts.<paramref name="domain"/>" that starts with "v=STSv1;",
        /// or null (with <paramref name="problem"/>) when there is none, more than one, or it is malformed.
        /// </summary>
        public static string? TxtId(PolicyDns dns, string domain, out string problem)
        {
            PolicyAnswer answer = dns.Query("_mta-sts." + domain, RecordType.Txt);
            string? id = null;
            int found = 0;
            problem = answer.Error ?? "no v=STSv1 TXT record at _mta-sts." + domain;
            foreach (byte[] rdata in answer.Records)
            {
                string text = TxtText(rdata);
                if (!text.StartsWith("v=STSv1;", StringComparison.Ordinal))
                {
                    continue;
                }

                found++;
                id = Id(text);
            }

            if (found > 1)
            {
                problem = found + " v=STSv1 TXT records at _mta-sts." + domain;
                return null;
            }

            if (found == 1 && id == null)
            {
                problem = "the v=STSv1 TXT record at _mta-sts." + domain + " has no valid id";
            }

            return found == 1 ? id : null;
        }

        /// <summary>
        /// GET https://mta-sts.<paramref name="domain"/>/.well-known/mta-sts.txt; the body, or null with <paramref name="problem"/>.
        /// </summary>
        public string? Policy(PolicyDns dns, string domain, out string problem)
        {
            string host = "mta-sts." + domain;
            PolicyAnswer addresses = dns.Query(host, RecordType.A);
            if (addresses.Records.Count == 0)
            {
                problem = "no address for " + host + ": " + addresses.Error;
                return null;
            }

            var endpoint = new Endpoint();
            endpoint.SetAddress(addresses.Records[0], 0, 4);
            endpoint.Port = HttpsPort;
            long deadline = _clock.MonotonicMilliseconds + _timeout;
            IConnection connection;
            try
            {
                connection = _network.Connect(endpoint, _timeout);
            }
            catch (ConnectionException e)
            {
                problem = e.Message;
                return null;
            }

            try
            {
                connection.StartTlsClient(host, true, null, Left(deadline));
                byte[] request = Encoding.ASCII.GetBytes("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/plain\r\nConnection: close\r\n\r\n");
                connection.Write(request, 0, request.Length, Left(deadline));
                byte[]? response = ReadAll(connection, deadline, out problem);
                return response == null ? null : HttpBody(response, out problem);
            }
            catch (ConnectionException e)
            {
                problem = e.Message;
                return null;
            }
            finally
            {
                connection.Close();
            }
        }

        private int Left(long deadline)
        {
            long left = deadline - _clock.MonotonicMilliseconds;
            if (left <= 0)
            {
                throw new ConnectionException("no policy within smtp_mta_sts_fetch_timeout");
            }

            return (int)left;
        }

        // Connection: close: the response ends where the server closes.
        private byte[]? ReadAll(IConnection connection, long deadline, out string problem)
        {
            var response = new MemoryStream();
            var buffer = new byte[4096];
            while (true)
            {
                int n = connection.Read(buffer, 0, buffer.Length, Left(deadline));
                if (n == Connection.TimedOut)
                {
                    continue;
                }

                if (n == 0)
                {
                    problem = string.Empty;
                    return response.ToArray();
                }

                if (response.Length + n > ResponseLimit)
                {
                    problem = "the response is larger than " + ResponseLimit + " bytes";
                    return null;
                }

                response.Write(buffer, 0, n);
            }
        }

        // RFC 8461 §3.3: 200 only (no redirects followed), §3.2 media type text/plain; RFC 9112 §6.1/§7.1 Content-Length or chunked.
        private static string? HttpBody(byte[] response, out string problem)
        {
            string text = Encoding.Latin1.GetString(response);
            int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
            {
                problem = "the response has no end of headers";
                return null;
            }

            string[] head = text[..end].Split("\r\n");
            string[] status = head[0].Split(' ', 3);
            if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || status[1] != "200")
            {
                problem = "the server answered \"" + head[0] + "\", not 200";
                return null;
            }

            string? type = null;
            string? length = null;
            bool chunked = false;
            for (int i = 1; i < head.Length; i++)
            {
                int colon = head[i].IndexOf(':');
                if (colon <= 0)
                {
                    continue;
                }

                string name = head[i][..colon].Trim().ToLowerInvariant();
                string value = head[i][(colon + 1)..].Trim();
                type = name == "content-type" ? value : type;
                length = name == "content-length" ? value : length;
                chunked |= name == "transfer-encoding" && value.ToLowerInvariant().Contains("chunked");
            }

            string media = type == null ? string.Empty : type.Split(';')[0].Trim().ToLowerInvariant();
            if (media != "text/plain")
            {
                problem = "the policy's media type is " + (type == null ? "missing" : "\"" + type + "\"") + ", not text/plain";
                return null;
            }

            string body = text[(end + 4)..];
            if (chunked)
            {
                return Dechunk(body, out problem);
            }

            if (length != null)
            {
                if (!int.TryParse(length, System.Globalization.NumberStyles.None, null, out int count) || count > body.Length)
                {
                    problem = "Content-Length " + length + " does not match the " + body.Length + " bytes that came";
                    return null;
                }

                body = body[..count];
            }

            problem = string.Empty;
            return body;
        }

        // RFC 9112 §7.1: hex size [; extensions] CRLF, data CRLF, ..., a zero size, trailers.
        private static string? Dechunk(string body, out string problem)
        {
            var result = new StringBuilder();
            int p = 0;
            while (true)
            {
                int line = p > body.Length ? -1 : body.IndexOf("\r\n", p, StringComparison.Ordinal);
                string size = line < 0 ? string.Empty : body[p..line].Split(';')[0].Trim();
                if (!int.TryParse(size, System.Globalization.NumberStyles.AllowHexSpecifier, null, out int count) || count < 0 || line + 2 + count > body.Length)
                {
                    problem = "the chunked body is malformed";
                    return null;
                }

                if (count == 0)
                {
                    problem = string.Empty;
                    return result.ToString();
                }

                result.Append(body, line + 2, count);
                p = line + 2 + count + 2;
            }
        }

        // RFC 1035 §3.3.14: one or more character-strings, taken together.
        private static string TxtText(byte[] rdata)
        {
            var text = new StringBuilder();
            int p = 0;
            while (p < rdata.Length)
            {
                int n = rdata[p];
                int take = Math.Min(n, rdata.Length - p - 1);
                text.Append(Encoding.ASCII.GetString(rdata, p + 1, take));
                p += 1 + n;
            }

            return text.ToString();
        }

        // RFC 8461 §3.1: "id=" 1*32(ALPHA / DIGIT) among the record's semicolon-separated fields.
        private static string? Id(string record)
        {
            foreach (string field in record.Split(';'))
            {
                string item = field.Trim(' ', '\t');
                if (!item.StartsWith("id=", StringComparison.Ordinal))
                {
                    continue;
                }

                string id = item[3..];
                bool valid = id.Length is > 0 and <= 32;
                foreach (char c in id)
                {
                    valid &= char.IsAsciiLetterOrDigit(c);
                }

                return valid ? id : null;
            }

            return null;
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Emailcore.Nano.Mail;

namespace Emailcore.Nano.Host.Submit
{
    /// <summary>
    /// Reads the message a Unix program pipes to sendmail and writes it as it will be queued: lines ending in LF or
    /// CRLF become CRLF; without -i a line of a single "." ends the input (sendmail's rule); the header section is
    /// completed as Postfix's cleanup does (a missing From, Date or Message-ID is added) and Bcc fields are removed
    /// (RFC 5322 §3.6.3), after their addresses were taken for -t. Input with no header section gets one.
    /// </summary>
    public sealed class SendmailInput
    {
        /// <summary>A header section larger than this is refused (Postfix's header_size_limit is 100 KB).</summary>
        public const int HeaderLimit = 1 << 20;

        private readonly List<string> _fields = new();

        /// <summary>The addresses of To, Cc and Bcc (for -t), in order.</summary>
        public List<string> HeaderRecipients { get; } = new();

        /// <summary>Reads <paramref name="input"/> to its end (or the "." line) into <paramref name="into"/>.</summary>
        public void Read(Stream input, bool dotEndsInput, MessageFile into, string sender, string? fullName, string hostName)
        {
            var reader = new LineSource(input);
            byte[]? line;
            bool inHeader = true;
            var pending = new List<byte[]>();
            int headerBytes = 0;
            while ((line = reader.Next()) != null)
            {
                if (dotEndsInput && line.Length == 1 && line[0] == '.')
                {
                    break;
                }

                if (inHeader)
                {
                    bool continuation = line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && pending.Count > 0;
                    if (continuation || IsFieldStart(line))
                    {
                        headerBytes += line.Length + 2;
                        if (headerBytes > HeaderLimit)
                        {
                            throw new InvalidDataException("the header section is larger than " + HeaderLimit + " bytes");
                        }

                        if (!continuation)
                        {
                            Flush(pending);
                        }

                        pending.Add(line);
                        continue;
                    }

                    Flush(pending);
                    WriteHeader(into, sender, fullName, hostName);
                    inHeader = false;
                    if (line.Length == 0)
                    {
                        continue;
                    }
                }

                into.Write(line, 0, line.Length);
                into.Write(CrLf, 0, 2);
            }

            if (inHeader)
            {
                Flush(pending);
                WriteHeader(into, sender, fullName, hostName);
            }

            into.Commit();
        }

        private static readonly byte[] CrLf = { (byte)'\r', (byte)'\n' };

        /// <summary>RFC 5322 §2.2 field name: printable ASCII but ":" and space, then ":".</summary>
        private static bool IsFieldStart(byte[] line)
        {
            for (int i = 0; i < line.Length; i++)
            {
                byte c = line[i];
                if (c == ':')
                {
                    return i > 0;
                }

                if (c <= 32 || c >= 127)
                {
                    return false;
                }
            }

            return false;
        }

        /// <summary>Ends one field (its lines as read): remembers it, and its addresses when it is To, Cc or Bcc.</summary>
        private void Flush(List<byte[]> lines)
        {
            if (lines.Count == 0)
            {
                return;
            }

            var raw = new StringBuilder();
            var value = new StringBuilder();
            foreach (byte[] l in lines)
            {
                string text = Encoding.UTF8.GetString(l);
                raw.Append(text).Append("\r\n");
                value.Append(value.Length == 0 ? text.Substring(text.IndexOf(':') + 1) : text);
            }

            lines.Clear();
            string field = raw.ToString();
            string name = field.Substring(0, field.IndexOf(':')).Trim();
            if (IsOneOf(name, "To", "Cc", "Bcc"))
            {
                HeaderRecipients.AddRange(AddressList.Parse(value.ToString()));
            }

            _fields.Add(field);
        }

        private void WriteHeader(MessageFile into, string sender, string? fullName, string hostName)
        {
            bool from = false;
            bool date = false;
            bool messageId = false;
            foreach (string field in _fields)
            {
                string name = field.Substring(0, field.IndexOf(':')).Trim();
                from |= IsOneOf(name, "From");
                date |= IsOneOf(name, "Date");
                messageId |= IsOneOf(name, "Message-ID");
                if (!IsOneOf(name, "Bcc"))
                {
                    Write(into, field);
                }
            }

            var writer = new MessageWriter(1024);
            writer.Attach(into);
            var header = new HeaderWriter();
            header.Attach(writer);
            if (!from)
            {
                header.Addresses("From", new[] { new Mailbox(sender, fullName) });
            }

            if (!date)
            {
                header.Field("Date", Rfc5322Date.Format(DateTime.UtcNow));
            }

            if (!messageId)
            {
                header.Field("Message-ID", "<" + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "." + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)) + "@" + hostName + ">");
            }

            writer.AppendCrLf();
            writer.Flush();
        }

        private static void Write(MessageFile into, string text)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            into.Write(bytes, 0, bytes.Length);
        }

        private static bool IsOneOf(string name, params string[] names) => Array.Exists(names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>Lines of the input without their LF or CRLF, read in chunks.</summary>
        private sealed class LineSource(Stream input)
        {
            private readonly byte[] _buffer = new byte[8192];
            private readonly MemoryStream _line = new();
            private int _length;
            private int _position;

            public byte[]? Next()
            {
                _line.SetLength(0);
                while (true)
                {
                    if (_position == _length)
                    {
                        _length = input.Read(_buffer, 0, _buffer.Length);
                        _position = 0;
                        if (_length == 0)
                        {
                            return _line.Length > 0 ? _line.ToArray() : null;
                        }
                    }

                    int lf = Array.IndexOf(_buffer, (byte)'\n', _position, _length - _position);
                    int end = lf < 0 ? _length : lf;
                    _line.Write(_buffer, _position, end - _position);
                    _position = lf < 0 ? _length : lf + 1;
                    if (lf >= 0)
                    {
                        byte[] line = _line.ToArray();
                        return line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;
                    }
                }
            }
        }
    }
}

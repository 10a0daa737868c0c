using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Tests.Support;
using MimeKit;
using Xunit;

namespace Emailcore.Nano.Tests.Mail
{
    /// <summary>A message our builder wrote, and what two real parsers make of it: MimeKit and Python's email package.</summary>
    public sealed class ComposedMessage
    {
        private const string PythonParser = """
            import sys, json, hashlib
            from email import policy
            from email.parser import BytesParser
            m = BytesParser(policy=policy.default).parsebytes(sys.stdin.buffer.read())
            def addresses(name):
                value = m[name]
                return [] if value is None else [[a.display_name, a.addr_spec] for a in value.addresses]
            body = m.get_body(preferencelist=('plain',))
            parts = [m] + list(m.walk())
            print(json.dumps({
                'subject': str(m['Subject']),
                'from': addresses('From'), 'to': addresses('To'), 'cc': addresses('Cc'),
                'date': None if m['Date'] is None else m['Date'].datetime.isoformat(),
                'messageId': m['Message-ID'], 'autoSubmitted': m['Auto-Submitted'],
                'encoding': body['Content-Transfer-Encoding'], 'text': body.get_content(),
                'attachments': [[p.get_filename(), hashlib.sha256(p.get_payload(decode=True)).hexdigest()] for p in m.iter_attachments()],
                'defects': sorted(set(type(d).__name__ for p in parts for d in p.defects)),
            }))
            """;

        private ComposedMessage(byte[] bytes)
        {
            Bytes = bytes;
            Text = Encoding.UTF8.GetString(bytes);
            Mime = MimeMessage.Load(new MemoryStream(bytes));
            RunResult run = Support.Python.Run(PythonParser, Text);
            Assert.True(run.ExitCode == 0, run.ToString());
            Python = JsonDocument.Parse(run.StandardOutput).RootElement;
        }

        public byte[] Bytes { get; }

        public string Text { get; }

        /// <summary>MimeKit's reading.</summary>
        public MimeMessage Mime { get; }

        /// <summary>Python's reading: subject, from/to/cc as [name, address], date, messageId, encoding, text, attachments [name, sha256], defects.</summary>
        public JsonElement Python { get; }

        public string[] Lines => Text.Split("\r\n");

        public static ComposedMessage Write(MessageParts parts, int bufferBytes = 64)
        {
            Assert.Equal(MessageProblem.None, MessageBuilder.Check(parts, out string? field));
            Assert.Null(field);
            var builder = new MessageBuilder(bufferBytes);
            TransferEncoding encoding = builder.ChooseEncoding(parts);
            var sink = new MemoryMessage();
            var writer = new MessageWriter(100);
            writer.Attach(sink);
            builder.Write(writer, parts, encoding);
            writer.Flush();
            Assert.False(writer.Failed);
            byte[] bytes = Encoding.UTF8.GetBytes(sink.Text);
            Assert.DoesNotContain(bytes.Select((b, i) => (b, i)), x => (x.b == '\n' && (x.i == 0 || bytes[x.i - 1] != '\r')) || (x.b == '\r' && (x.i + 1 == bytes.Length || bytes[x.i + 1] != '\n')));
            return new ComposedMessage(bytes);
        }

        public static MessageParts Parts(string subject, string body, params Attachment[] attachments) => new()
        {
            From = new Mailbox("board@lan.example", "Rack 3"),
            To = new[] { new Mailbox("ops@example.com", null) },
            Subject = subject,
            Date = new DateTime(2026, 11, 28, 20, 15, 0, DateTimeKind.Utc),
            MessageId = "3F2A9C.1@lan.example",
            Body = MemoryMessage.Of(body),
            Attachments = attachments,
            Boundary = "=_emailcore_3F2A9C",
        };

        /// <summary>Every header line within 78 characters, 76 where it holds an encoded-word (RFC 5322 §2.1.1, RFC 2047 §2).</summary>
        public void AssertHeaderLinesFold()
        {
            foreach (string line in Lines.TakeWhile(l => l.Length > 0))
            {
                Assert.True(line.Length <= (line.Contains("=?") ? 76 : 78), "too long: " + line + "\n" + Text);
                Assert.False(line.Trim().Length == 0, "a header line of white space only");
            }
        }
    }
}

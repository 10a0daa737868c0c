using System;
using System.IO;
using System.Linq;
using System.Text;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Mail
{
    /// <summary>Messages we compose are checked by a real parser: Python's email package.</summary>
    public sealed class MessageBuilderTests
    {
        private const string Body =
            "Temperature alarm: 41.5 °C in rack 3 — über Grenzwert.\n" +
            ".a line that starts with a dot\n" +
            "trailing spaces   \n" +
            "an = sign and a tab\tinside\r\n" +
            "a very long line " + "0123456789" + "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghij\n" +
            "end";

        [Fact]
        public void PlainTextAlertRoundTripsThroughPythonsParser()
        {
            string text = Build(Array.Empty<Attachment>());
            Assert.All(text.Split("\r\n"), line => Assert.True(line.Length <= 78, line));
            Assert.True(text.All(c => c < 128), "the message must be 7-bit");
            string script = """
                import sys
                from email import policy
                from email.parser import BytesParser
                m = BytesParser(policy=policy.default).parsebytes(sys.stdin.buffer.read())
                sys.stdout.buffer.write((m['Subject'] + '\n' + m['To'] + '\n' + m.get_content()).encode('utf-8'))
                """;
            RunResult run = Python.Run(script, text);
            Assert.True(run.ExitCode == 0, run.ToString());
            string[] parts = run.StandardOutput.Split('\n', 3);
            Assert.Equal("Alarm: Temperatur über Grenzwert — Rack 3 ✓ and a long subject that needs more than one encoded word", parts[0]);
            Assert.Equal("ops@example.com, oncall@example.net", parts[1]);
            Assert.Equal(Body.Replace("\r\n", "\n"), parts[2].Replace("\r\n", "\n").TrimEnd('\n'));
        }

        [Fact]
        public void AttachmentsArriveByteForByte()
        {
            var random = new Random(7);
            byte[] blob = new byte[3001];
            random.NextBytes(blob);
            var attachments = new[]
            {
                new Attachment("readings.bin", "application/octet-stream", MemoryMessage.Of(blob)),
                new Attachment("Messwerte für März.csv", "text/csv", MemoryMessage.Of("t,v\n1,2\n")),
                new Attachment("empty.txt", "text/plain", MemoryMessage.Of("")),
            };
            string text = Build(attachments);
            string script = """
                import sys, hashlib
                from email import policy
                from email.parser import BytesParser
                m = BytesParser(policy=policy.default).parsebytes(sys.stdin.buffer.read())
                assert m.get_content_type() == 'multipart/mixed'
                for part in m.iter_attachments():
                    data = part.get_payload(decode=True)
                    print(part.get_filename(), len(data), hashlib.sha256(data).hexdigest())
                """;
            RunResult run = Python.Run(script, text);
            Assert.True(run.ExitCode == 0, run.ToString());
            string[] lines = run.StandardOutput.TrimEnd('\n').Split('\n');
            Assert.Equal($"readings.bin 3001 {Sha256(blob)}", lines[0]);
            Assert.Equal($"Messwerte für März.csv 8 {Sha256(Encoding.ASCII.GetBytes("t,v\n1,2\n"))}", lines[1]);
            Assert.Equal($"empty.txt 0 {Sha256(Array.Empty<byte>())}", lines[2]);
        }

        [Fact]
        public void DateIsLeftOutWhileTheClockIsUnknown()
        {
            var sink = new MemoryMessage();
            var writer = new MessageWriter(128);
            writer.Attach(sink);
            new MessageBuilder(64).Write(writer, "board@lan.example", new[] { "ops@example.com" }, "boot", DateTime.MinValue, "1.2@lan.example", MemoryMessage.Of("up"), Array.Empty<Attachment>(), "b");
            writer.Flush();
            Assert.DoesNotContain("Date:", sink.Text);
            Assert.Contains("Message-ID: <1.2@lan.example>", sink.Text);
        }

        private static string Build(Attachment[] attachments)
        {
            var sink = new MemoryMessage();
            var writer = new MessageWriter(100);
            writer.Attach(sink);
            new MessageBuilder(17).Write(
                writer,
                "board@lan.example",
                new[] { "ops@example.com", "oncall@example.net" },
                "Alarm: Temperatur über Grenzwert — Rack 3 ✓ and a long subject that needs more than one encoded word",
                new DateTime(2026, 11, 28, 20, 15, 0, DateTimeKind.Utc),
                "3F2A9C.1@lan.example",
                MemoryMessage.Of(Body),
                attachments,
                "=_emailcore_3F2A9C");
            writer.Flush();
            Assert.False(writer.Failed);
            return sink.Text;
        }

        private static string Sha256(byte[] data) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(data)).ToLowerInvariant();
    }
}

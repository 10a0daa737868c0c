using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Tests.Support;
using MimeKit;
using Xunit;

namespace Emailcore.Nano.Tests.Mail
{
    /// <summary>Messages we compose, read back by MimeKit and by Python's email package.</summary>
    public sealed class MessageBuilderTests
    {
        private const string Utf8Text =
            "Temperature alarm: 41.5 °C in rack 3 — über Grenzwert.\n" +
            ".a line that starts with a dot\n" +
            "trailing spaces   \n" +
            "an = sign and a tab\tinside\r\n" +
            "a bare CR\rends a line too\n" +
            "a very long line " + "0123456789" + "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghij\n" +
            "end";

        // The text as it comes back: every line end CRLF, one at the end.
        private static readonly string Utf8TextRead = Utf8Text.Replace("\r\n", "\n").Replace("\r", "\n") + "\n";

        [Theory]
        [InlineData("Alarm: Temperatur über Grenzwert — Rack 3 ✓ and a long subject that needs more than one encoded word")]
        [InlineData("Door open")]
        [InlineData("A plain ASCII subject that is long enough to be folded at its spaces, more than once, because it goes on and on and on")]
        [InlineData("one-very-long-word-without-any-space-0123456789012345678901234567890123456789012345678901234567890123456789")]
        [InlineData("looks like =?utf-8?B?YQ==?= an encoded word")]
        [InlineData("two  spaces,  a\ttab and a trailing space ")]
        [InlineData(" leading space")]
        [InlineData("emoji 🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥 (four-byte sequences never split)")]
        [InlineData("")]
        public void SubjectsRoundTripAndFold(string subject)
        {
            ComposedMessage m = ComposedMessage.Write(ComposedMessage.Parts(subject, "x"));
            m.AssertHeaderLinesFold();
            Assert.True(m.Bytes.All(b => b < 128), "the message must be 7-bit");
            Assert.Equal(subject.Trim(), m.Mime.Subject ?? string.Empty); // MimeKit trims the decoded text
            Assert.Equal(subject, m.Python.GetProperty("subject").GetString());
            Assert.Empty(m.Python.GetProperty("defects").EnumerateArray());
        }

        [Fact]
        public void DisplayNamesAreEncodedWordsOrQuotedStrings()
        {
            MessageParts parts = ComposedMessage.Parts("names", "x");
            parts.From = new Mailbox("board@lan.example", "Zählerschrank Süd ⚡ — Sensor \"A\"");
            parts.To = new[]
            {
                new Mailbox("j@example.com", "Jürgen Müller-Lüdenscheidt von und zu Hohenzollern-Sigmaringen, Bereitschaft"),
                new Mailbox("ops@example.com", "Ops, Team \"B\" (night)"),
                new Mailbox("plain@example.com", "Plain Name"),
            };
            parts.Cc = new[] { new Mailbox("\"quoted local\"@example.com", null), new Mailbox("lit@[192.0.2.7]", "Literal") };
            ComposedMessage m = ComposedMessage.Write(parts);
            m.AssertHeaderLinesFold();

            MailboxAddress from = m.Mime.From.Mailboxes.Single();
            Assert.Equal(parts.From.DisplayName, from.Name);
            Assert.Equal("board@lan.example", from.Address);
            Assert.Equal(parts.To.Select(t => (t.DisplayName, t.Address)), m.Mime.To.Mailboxes.Select(a => (a.Name ?? string.Empty, a.Address)));
            Assert.Equal(new[] { "\"quoted local\"@example.com", "lit@[192.0.2.7]" }, m.Mime.Cc.Mailboxes.Select(a => a.Address));

            string[][] pyTo = m.Python.GetProperty("to").EnumerateArray().Select(a => a.EnumerateArray().Select(s => s.GetString()!).ToArray()).ToArray();
            Assert.Equal(parts.To.Select(t => t.DisplayName), pyTo.Select(a => a[0]));
            Assert.Equal(parts.To.Select(t => t.Address), pyTo.Select(a => a[1]));
            Assert.Equal(parts.From.DisplayName, m.Python.GetProperty("from")[0][0].GetString());
            Assert.Equal(2, m.Python.GetProperty("cc").GetArrayLength());
            Assert.Empty(m.Python.GetProperty("defects").EnumerateArray());
        }

        [Fact]
        public void HeaderHasDateMessageIdMimeVersionAndAutoSubmitted()
        {
            ComposedMessage m = ComposedMessage.Write(ComposedMessage.Parts("boot", "up"));
            Assert.Equal(new DateTimeOffset(2026, 11, 28, 20, 15, 0, TimeSpan.Zero), m.Mime.Date);
            Assert.Equal("3F2A9C.1@lan.example", m.Mime.MessageId);
            Assert.Equal("1.0", m.Mime.MimeVersion!.ToString());
            Assert.Equal("auto-generated", m.Mime.Headers["Auto-Submitted"]);
            Assert.Equal("auto-generated", m.Python.GetProperty("autoSubmitted").GetString());
            Assert.Contains("Date: Sat, 28 Nov 2026 20:15:00 +0000\r\n", m.Text);
        }

        [Fact]
        public void UnknownClockLeavesTheDateOut()
        {
            MessageParts parts = ComposedMessage.Parts("boot", "up");
            parts.Date = DateTime.MinValue;
            ComposedMessage m = ComposedMessage.Write(parts);
            Assert.DoesNotContain("Date:", m.Text);
            Assert.Equal(System.Text.Json.JsonValueKind.Null, m.Python.GetProperty("date").ValueKind);
        }

        [Fact]
        public void NonAsciiTextGoesQuotedPrintableWithShortLines()
        {
            ComposedMessage m = ComposedMessage.Write(ComposedMessage.Parts("qp", Utf8Text), bufferBytes: 17);
            Assert.Contains("Content-Transfer-Encoding: quoted-printable\r\n", m.Text);
            Assert.All(m.Lines, line => Assert.True(line.Length <= 76, line));
            Assert.True(m.Bytes.All(b => b < 128));
            Assert.Equal(Utf8TextRead, ((TextPart)m.Mime.Body!).Text.Replace("\r\n", "\n"));
            Assert.Equal(Utf8TextRead, m.Python.GetProperty("text").GetString()!.Replace("\r\n", "\n"));
        }

        [Fact]
        public void AsciiTextGoesAsItIs()
        {
            string body = "Rack 3 door opened.\nA line of 200 characters:\n" + new string('y', 200) + "\n.\nend\n";
            ComposedMessage m = ComposedMessage.Write(ComposedMessage.Parts("7bit", body));
            Assert.Contains("Content-Transfer-Encoding: 7bit\r\n", m.Text);
            Assert.Contains("\r\n" + new string('y', 200) + "\r\n", m.Text);
            Assert.Equal(body, ((TextPart)m.Mime.Body!).Text.Replace("\r\n", "\n"));
            Assert.Equal(body, m.Python.GetProperty("text").GetString()!.Replace("\r\n", "\n"));
        }

        [Fact]
        public void EightBitWhenTheRouteHasEightBitMime()
        {
            MessageParts parts = ComposedMessage.Parts("8bit", Utf8Text);
            parts.AllowEightBit = true;
            Assert.Equal(TransferEncoding.EightBit, new MessageBuilder(64).ChooseEncoding(parts));
            ComposedMessage m = ComposedMessage.Write(parts);
            Assert.Contains("Content-Transfer-Encoding: 8bit\r\n", m.Text);
            Assert.Contains("41.5 °C in rack 3 — über", m.Text);
            Assert.Equal(Utf8TextRead, ((TextPart)m.Mime.Body!).Text.Replace("\r\n", "\n"));
            Assert.Equal(Utf8TextRead, m.Python.GetProperty("text").GetString()!.Replace("\r\n", "\n"));
        }

        [Theory]
        [InlineData(998, TransferEncoding.EightBit)]
        [InlineData(999, TransferEncoding.QuotedPrintable)]
        public void A_LineOver998OctetsNeedsQuotedPrintableEvenWithEightBitMime(int length, TransferEncoding expected)
        {
            MessageParts parts = ComposedMessage.Parts("long", "ü" + new string('a', length - 2) + "\nshort\n");
            parts.AllowEightBit = true;
            Assert.Equal(expected, new MessageBuilder(64).ChooseEncoding(parts));
            ComposedMessage m = ComposedMessage.Write(parts);
            Assert.All(m.Lines, line => Assert.True(Encoding.UTF8.GetByteCount(line) <= 998));
            Assert.Equal(((MemoryMessage)parts.Body!).Text, ((TextPart)m.Mime.Body!).Text.Replace("\r\n", "\n"));
        }

        [Fact]
        public void AttachmentsStreamInChunksAndDecodeByteForByte()
        {
            string dir = Path.Combine(Path.GetTempPath(), "emailcore-attach-" + Guid.NewGuid().ToString("N"));
            try
            {
                byte[] snapshot = new byte[100_003];
                new Random(7).NextBytes(snapshot);
                Directory.CreateDirectory(dir);
                File.WriteAllBytes(Path.Combine(dir, "SNAP.JPG"), snapshot);
                var store = new HostFileStore(dir);
                Emailcore.Nano.Platform.IStoreFile file = store.Open("SNAP.JPG");
                var counting = new CountingSource(new StoreFileSource(file));
                string longName = "Messwerte für März — Zählerschrank Süd, Sensoren 1 bis 12, stündlich (Export).csv";
                byte[] csv = Encoding.UTF8.GetBytes("t,v\n1,2\n");
                MessageParts parts = ComposedMessage.Parts("snapshot", Utf8Text,
                    new Attachment("snapshot.jpg", "image/jpeg", counting),
                    new Attachment(longName, "text/csv; charset=utf-8", MemoryMessage.Of("t,v\n1,2\n")),
                    new Attachment("empty.txt", "text/plain", MemoryMessage.Of("")));
                ComposedMessage m = ComposedMessage.Write(parts, bufferBytes: 512);
                file.Close();

                Assert.True(counting.LargestRead <= 512, "read " + counting.LargestRead + " bytes at once");
                Assert.True(counting.Reads >= snapshot.Length / 512);
                m.AssertHeaderLinesFold();
                Assert.All(m.Lines, line => Assert.True(line.Length <= 78, line));
                MimeEntity[] attachments = m.Mime.Attachments.ToArray();
                Assert.Equal(new[] { "snapshot.jpg", longName, "empty.txt" }, attachments.Select(a => a.ContentDisposition!.FileName));
                Assert.Equal(snapshot, Decoded((MimePart)attachments[0]));
                Assert.Equal(csv, Decoded((MimePart)attachments[1]));
                Assert.Empty(Decoded((MimePart)attachments[2]));
                Assert.Equal(Utf8TextRead, m.Mime.TextBody!.Replace("\r\n", "\n"));

                string[] python = m.Python.GetProperty("attachments").EnumerateArray().Select(a => a[0].GetString() + " " + a[1].GetString()).ToArray();
                Assert.Equal(new[] { "snapshot.jpg " + Sha256(snapshot), longName + " " + Sha256(csv), "empty.txt " + Sha256(Array.Empty<byte>()) }, python);
                Assert.Empty(m.Python.GetProperty("defects").EnumerateArray());
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Theory]
        [InlineData("subject")]
        [InlineData("from-name")]
        [InlineData("to-name")]
        [InlineData("to-address")]
        [InlineData("cc-address")]
        [InlineData("file-name")]
        [InlineData("content-type")]
        public void LineBreaksInHeaderValuesAreRefused(string where)
        {
            const string evil = "x\r\nBcc: victim@example.net";
            MessageParts parts = ComposedMessage.Parts("ok", "x", new Attachment("a.txt", "text/plain", MemoryMessage.Of("a")));
            switch (where)
            {
                case "subject": parts.Subject = evil; break;
                case "from-name": parts.From = new Mailbox("board@lan.example", evil); break;
                case "to-name": parts.To = new[] { new Mailbox("ops@example.com", evil) }; break;
                case "to-address": parts.To = new[] { new Mailbox("ops@example.com\r\nBcc: victim@example.net", null) }; break;
                case "cc-address": parts.Cc = new[] { new Mailbox("ops@example.com\nBcc: victim@example.net", null) }; break;
                case "file-name": parts.Attachments = new[] { new Attachment(evil, "text/plain", MemoryMessage.Of("a")) }; break;
                case "content-type": parts.Attachments = new[] { new Attachment("a.txt", "text/plain\r\nBcc: victim@example.net", MemoryMessage.Of("a")) }; break;
            }

            MessageProblem problem = MessageBuilder.Check(parts, out string? field);
            Assert.True(problem is MessageProblem.LineBreakInHeader or MessageProblem.InvalidContentType, problem + " " + field);
            Assert.NotNull(field);
        }

        [Theory]
        [InlineData("ops@example.com", true)]
        [InlineData("first.last+tag@sub.example.co", true)]
        [InlineData("\"with space\"@example.com", true)]
        [InlineData("alerts@localhost", true)]
        [InlineData("x@[192.0.2.1]", true)]
        [InlineData("x@[IPv6:2001:db8::1]", true)]
        [InlineData("no-at-sign", false)]
        [InlineData("@example.com", false)]
        [InlineData("two..dots@example.com", false)]
        [InlineData("sp ace@example.com", false)]
        [InlineData("x@-bad-.example", false)]
        [InlineData("x@[192.0.2.300]", false)]
        [InlineData("x@[IPv6:192.0.2.1]", false)]
        [InlineData("jörg@example.com", false)]
        [InlineData("x@example.com>, <y@example.com", false)]
        public void AddressesAreRfc5321Mailboxes(string address, bool valid)
        {
            Assert.Equal(valid, Mailbox.IsValidAddress(address));
        }

        [Theory]
        [InlineData("ops@example.com", "", "ops@example.com")]
        [InlineData("<ops@example.com>", "", "ops@example.com")]
        [InlineData("Rack 3 <board@lan.example>", "Rack 3", "board@lan.example")]
        [InlineData("\"Ops, night\" <ops@example.com>", "Ops, night", "ops@example.com")]
        public void MailboxParsesNameAndAddress(string text, string name, string address)
        {
            Mailbox m = Mailbox.Parse(text);
            Assert.Equal(name, m.DisplayName);
            Assert.Equal(address, m.Address);
        }

        [Theory]
        [InlineData("Rack 3 <board@lan.example")]
        [InlineData("not an address")]
        [InlineData("Name\r\nBcc: x@example.com <board@lan.example>")]
        public void MailboxRefusesMalformedText(string text) => Assert.Null(Mailbox.Parse(text));

        private static byte[] Decoded(MimePart part)
        {
            using var stream = new MemoryStream();
            part.Content!.DecodeTo(stream);
            return stream.ToArray();
        }

        private static string Sha256(byte[] data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

        /// <summary>Wraps a source and records how much the builder asked for at once.</summary>
        private sealed class CountingSource(IMessageSource inner) : IMessageSource
        {
            public int LargestRead { get; private set; }

            public int Reads { get; private set; }

            public long Length => inner.Length;

            public int Read(byte[] buffer, int offset, int count)
            {
                LargestRead = Math.Max(LargestRead, count);
                Reads++;
                return inner.Read(buffer, offset, count);
            }

            public void Rewind() => inner.Rewind();
        }
    }
}

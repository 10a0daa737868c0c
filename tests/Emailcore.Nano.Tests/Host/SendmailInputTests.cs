using System.IO;
using System.Linq;
using System.Text;
using Emailcore.Nano.Host.Commands;
using Emailcore.Nano.Host.Submit;
using Xunit;

namespace Emailcore.Nano.Tests.Host
{
    /// <summary>What `emailcore sendmail` makes of its input and arguments, byte for byte.</summary>
    public sealed class SendmailInputTests
    {
        [Fact]
        public void LineEndsBecomeCrLfBccGoesAndMissingFieldsAreAdded()
        {
            (string text, SendmailInput input) = Read("To: a@example.com,\n  b@example.com\nBcc: Hidden <h@example.com>\nSubject: s\n\nline 1\r\nline 2\n", dotEnds: true);
            Assert.StartsWith("To: a@example.com,\r\n  b@example.com\r\nSubject: s\r\nFrom: Cron Daemon <root@pi.example>\r\nDate: ", text);
            Assert.Matches("\r\nMessage-ID: <[0-9]{14}\\.[0-9A-F]{12}@pi\\.example>\r\n\r\nline 1\r\nline 2\r\n$", text);
            Assert.DoesNotContain("Bcc", text);
            Assert.Equal(new[] { "a@example.com", "b@example.com", "h@example.com" }, input.HeaderRecipients);
        }

        [Fact]
        public void PresentFromDateAndMessageIdAreKept()
        {
            (string text, _) = Read("From: me@example.com\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-Id: <x@y>\n\nbody\n", dotEnds: true);
            Assert.Equal("From: me@example.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-Id: <x@y>\r\n\r\nbody\r\n", text);
        }

        [Theory]
        [InlineData(true, "a\r\n")]
        [InlineData(false, "a\r\n.\r\nb\r\n")]
        public void A_LoneDotEndsTheInputUnlessDashI(bool dotEnds, string body)
        {
            (string text, _) = Read("Subject: s\n\na\n.\nb\n", dotEnds);
            Assert.EndsWith("\r\n\r\n" + body, text);
        }

        [Fact]
        public void InputWithoutAHeaderGetsOne()
        {
            (string text, _) = Read("disk /data is 97% full\n", dotEnds: true);
            Assert.Matches("^From: Cron Daemon <root@pi\\.example>\r\nDate: .+\r\nMessage-ID: <.+>\r\n\r\ndisk /data is 97% full\r\n$", text);
        }

        [Theory]
        [InlineData("Ops <ops@example.com>, \"Night, shift\" <night@example.com>", "ops@example.com night@example.com")]
        [InlineData("a@example.com (Alice), b@example.com", "a@example.com b@example.com")]
        [InlineData("undisclosed-recipients:;", "")]
        [InlineData("team: x@example.com, y@example.com;, z@example.com", "x@example.com y@example.com z@example.com")]
        [InlineData("\"quoted: colon\" <q@example.com>", "q@example.com")]
        public void AddressListsYieldTheirAddrSpecs(string value, string expected)
        {
            Assert.Equal(expected, string.Join(" ", AddressList.Parse(value)));
        }

        [Fact]
        public void OptionsFollowSendmailsConventions()
        {
            var error = new StringWriter();
            SendmailCommand.Options o = SendmailCommand.Parse(new[] { "-FCronDaemon", "-i", "-B8BITMIME", "-oem", "-t", "-f", "root", "-odi", "--", "-x@example.com" }, error)!;
            Assert.Equal("CronDaemon", o.FullName);
            Assert.Equal("root", o.Sender);
            Assert.True(o.ExtractRecipients);
            Assert.True(o.DotIsData);
            Assert.Equal(new[] { "-x@example.com" }, o.Recipients);
            Assert.True(SendmailCommand.Parse(new[] { "-oi", "-fme@example.com", "a@example.com" }, error)!.DotIsData);
            Assert.Null(SendmailCommand.Parse(new[] { "-q" }, error));
            Assert.Null(SendmailCommand.Parse(new[] { "-f" }, error));
        }

        private static (string Text, SendmailInput Input) Read(string stdin, bool dotEnds)
        {
            var input = new SendmailInput();
            using var file = new MessageFile();
            input.Read(new MemoryStream(Encoding.UTF8.GetBytes(stdin)), dotEnds, file, "root@pi.example", "Cron Daemon", "pi.example");
            var bytes = new byte[file.Length];
            file.Rewind();
            Assert.Equal(bytes.Length, file.Read(bytes, 0, bytes.Length));
            return (Encoding.UTF8.GetString(bytes), input);
        }
    }
}

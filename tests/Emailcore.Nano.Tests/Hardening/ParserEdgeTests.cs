using System.Text;
using Emailcore.Nano.Config;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Hardening
{
    /// <summary>Issue 18 items 6 and 7: the command parser at the buffer's end, and a SIZE too large to count.</summary>
    public sealed class ParserEdgeTests
    {
        [Theory]
        [InlineData("FROM:@a.example:", true)]
        [InlineData("TO:@a.example,@b.example:", false)]
        [InlineData("FROM:<@a.example:", true)]
        [InlineData("FROM:@a.example", true)]
        [InlineData("FROM:\"quoted", true)]
        [InlineData("FROM:a@", true)]
        [InlineData("TO:a@[", false)]
        [InlineData("TO:<a@b.example> NOTIFY=", false)]
        public void ALineEndingExactlyAtTheBufferEndIsRefusedWithoutReadingPastIt(string argument, bool mail)
        {
            // The buffer holds exactly the argument: no CRLF, no slack after it (as an API caller may pass it).
            byte[] line = Encoding.ASCII.GetBytes(argument);
            var parser = new CommandParser();
            bool ok = mail ? parser.ParseMail(line, 0, line.Length, false) : parser.ParseRcpt(line, 0, line.Length, false);
            if (ok)
            {
                int p = parser.ParamsOffset;
                while (parser.NextParam(line, ref p, line.Length))
                {
                }
            }

            Assert.False(ok && !parser.ParamFailed, argument);
            Assert.StartsWith("501 ", parser.Error);
        }

        [Theory]
        [InlineData("99999999999999999999")]
        [InlineData("18446744073709551616")]
        public void ASizeBeyondAnyCounterIsAnsweredAsTooLargeNotAsBadSyntax(string size)
        {
            // RFC 1870 §4: size-value is 1*20DIGIT; one we cannot even count exceeds any limit (552, not 501).
            var store = new MemoryMessageStore();
            var connection = new ScriptedConnection().Then("EHLO c.example\r\nMAIL FROM:<a@b.example> SIZE=" + size + "\r\nNOOP\r\n");
            new SmtpSession(Sessions.Settings(), store.CreateSink(), new ManualClock(), new ListLog()).Run(connection, ListenMode.Smtp);
            Assert.Contains("\r\n552 5.3.4 Message size exceeds fixed limit\r\n", connection.WrittenText);
        }

        [Theory]
        [InlineData("1x")]
        [InlineData("-1")]
        [InlineData("+5")]
        [InlineData("000000000000000000001")]
        public void ASizeThatIsNotDigitsIsStillBadSyntax(string size)
        {
            var connection = new ScriptedConnection().Then("EHLO c.example\r\nMAIL FROM:<a@b.example> SIZE=" + size + "\r\n");
            new SmtpSession(Sessions.Settings(), new MemoryMessageStore().CreateSink(), new ManualClock(), new ListLog()).Run(connection, ListenMode.Smtp);
            Assert.Contains("\r\n501 5.5.4 Bad SIZE syntax\r\n", connection.WrittenText);
        }
    }
}

using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Smtp.Wire;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Hardening
{
    /// <summary>What tools/fuzz.sh found, each as a plain regression test (the inputs themselves are in tests/Emailcore.Nano.Fuzz/Findings).</summary>
    public sealed class FuzzFindingTests
    {
        private static Reply Read(string text)
        {
            var reader = new LineReader(256);
            reader.Attach(new ScriptedConnection().Then(text));
            var deadline = new Deadline(new ManualClock());
            var reply = new Reply(reader, deadline);
            Assert.True(reply.Read(1000, null));
            return reply;
        }

        [Theory]
        [InlineData("226 4.3.0 odd\r\n", "2.0.0")]
        [InlineData("550 2.1.5 odd\r\n", "5.0.0")]
        [InlineData("451 4.3.0 fine\r\n", "4.3.0")]
        [InlineData("250 2.1.5 fine\r\n", "2.1.5")]
        public void AnEnhancedCodeOfAnotherClassThanTheReplyIsNotTaken(string text, string status)
        {
            // Found by the reply target: a "226 4.3.0" reply made Status() say 4.3.0 for a success.
            Assert.Equal(status, Read(text).Status());
        }
    }
}

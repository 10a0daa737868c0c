using System.Collections.Generic;
using System.Text;
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Smtp.Wire;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Smtp.Client
{
    /// <summary>RFC 5321 §4.2 replies, fed in every fragmentation a network can produce.</summary>
    public sealed class ReplyTests
    {
        private static Reply Reader(ScriptedConnection connection)
        {
            var lines = new LineReader(64);
            lines.Attach(connection);
            return new Reply(lines, new Deadline(new ManualClock()));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        [InlineData(1000)]
        public void MultiLineRepliesWithEnhancedCodesInAnyPieces(int piece)
        {
            var seen = new List<string>();
            Reply reply = Reader(new ScriptedConnection().ThenInPieces("250-mx.example greets you\r\n250-PIPELINING\r\n250 8BITMIME\r\n550 5.1.1 <x@example.com>: no such user\r\n", piece));
            Assert.True(reply.Read(1000, (b, o, n) => seen.Add(Encoding.ASCII.GetString(b, o, n))));
            Assert.Equal(250, reply.Code);
            Assert.Equal(new[] { "mx.example greets you", "PIPELINING", "8BITMIME" }, seen);
            Assert.Equal("2.0.0", reply.Status());
            Assert.True(reply.Read(1000, null));
            Assert.Equal(550, reply.Code);
            Assert.Equal("5.1.1", reply.Status());
            Assert.Equal("550 5.1.1 <x@example.com>: no such user", reply.Summary());
        }

        [Theory]
        [InlineData("250 2.1.0 Ok\r\n", "2.1.0")]
        [InlineData("451 4.7.1 try later\r\n", "4.7.1")]
        [InlineData("554 5.7.139 basic authentication is disabled\r\n", "5.7.139")]
        [InlineData("250 Ok\r\n", "2.0.0")]
        [InlineData("550 5.1 half a code\r\n", "5.0.0")]
        [InlineData("250\r\n", "2.0.0")]
        public void EnhancedStatusOrTheClassDefault(string text, string status)
        {
            Reply reply = Reader(new ScriptedConnection().Then(text));
            Assert.True(reply.Read(1000, null));
            Assert.Equal(status, reply.Status());
        }

        [Theory]
        [InlineData("250-a\r\n251 b\r\n", "reply lines with different codes")]
        [InlineData("abc\r\n", "malformed reply line")]
        [InlineData("600 no such class\r\n", "malformed reply line")]
        [InlineData("250x\r\n", "malformed reply line")]
        [InlineData("250-never ends", "connection closed by the server")]
        public void MalformedRepliesAreProtocolErrors(string text, string why)
        {
            Reply reply = Reader(new ScriptedConnection().Then(text));
            Assert.False(reply.Read(1000, null));
            Assert.Equal(why, reply.Error);
            Assert.False(reply.TimedOut);
        }

        [Fact]
        public void TimeoutIsReportedAsSuch()
        {
            Reply reply = Reader(new ScriptedConnection().Then("250-a\r\n").ThenTimeout());
            Assert.False(reply.Read(1000, null));
            Assert.True(reply.TimedOut);
        }

        [Fact]
        public void LongLinesKeepTheirStartAndContinuationsJoin()
        {
            string longText = new string('x', 300);
            Reply reply = Reader(new ScriptedConnection().Then("451-4.3.0 " + longText + "\r\n451 second part\r\n"));
            Assert.True(reply.Read(1000, null));
            Assert.Equal(451, reply.Code);
            Assert.Equal("4.3.0", reply.Status());
            Assert.StartsWith("451 4.3.0 xxxx", reply.Summary());
            Assert.True(reply.TextLength <= Reply.MaxText);
        }
    }
}

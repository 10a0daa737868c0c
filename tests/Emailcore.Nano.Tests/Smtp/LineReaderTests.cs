using System.Text;
using Emailcore.Nano.Smtp.Wire;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Smtp
{
    public sealed class LineReaderTests
    {
        private static readonly Deadline Wait = Started(new Deadline(new ManualClock()));

        private static Deadline Started(Deadline deadline)
        {
            deadline.Start(1000);
            return deadline;
        }

        private static string Text(LineReader reader) => Encoding.ASCII.GetString(reader.Buffer, reader.LineOffset, reader.LineLength);

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(7)]
        [InlineData(1000)]
        public void LinesSurviveAnyFragmentation(int pieceSize)
        {
            var reader = new LineReader(64);
            reader.Attach(new ScriptedConnection().ThenInPieces("EHLO a.example\r\nMAIL FROM:<a@b.example>\r\nbare\nQUIT\r\n", pieceSize));
            Assert.Equal(LineStatus.Line, reader.ReadLine(Wait));
            Assert.Equal("EHLO a.example", Text(reader));
            Assert.True(reader.EndedWithCrLf);
            Assert.Equal(LineStatus.Line, reader.ReadLine(Wait));
            Assert.Equal("MAIL FROM:<a@b.example>", Text(reader));
            Assert.Equal(LineStatus.Line, reader.ReadLine(Wait));
            Assert.Equal("bare", Text(reader));
            Assert.False(reader.EndedWithCrLf);
            Assert.Equal(LineStatus.Line, reader.ReadLine(Wait));
            Assert.Equal("QUIT", Text(reader));
            Assert.Equal(LineStatus.Closed, reader.ReadLine(Wait));
        }

        [Fact]
        public void LongLinesArriveInPiecesWithoutSplittingCrLf()
        {
            var reader = new LineReader(8);
            reader.Attach(new ScriptedConnection().Then("abcdefg\r").Then("\nxy\r\n"));
            Assert.Equal(LineStatus.Partial, reader.ReadLine(Wait));
            Assert.Equal("abcdefg", Text(reader));
            Assert.Equal(LineStatus.Line, reader.ReadLine(Wait));
            Assert.Equal("", Text(reader));
            Assert.True(reader.EndedWithCrLf);
            Assert.Equal(LineStatus.Line, reader.ReadLine(Wait));
            Assert.Equal("xy", Text(reader));
        }

        [Fact]
        public void PipelinedInputIsVisibleAndCanBeDiscarded()
        {
            var reader = new LineReader(128);
            reader.Attach(new ScriptedConnection().Then("STARTTLS\r\nMAIL FROM:<evil@example>\r\n"));
            Assert.Equal(LineStatus.Line, reader.ReadLine(Wait));
            Assert.True(reader.HasBufferedInput);
            reader.DiscardBuffered();
            Assert.False(reader.HasBufferedInput);
            Assert.Equal(LineStatus.Closed, reader.ReadLine(Wait));
        }

        [Fact]
        public void TimeoutIsReportedAndReadingCanGoOn()
        {
            var reader = new LineReader(64);
            reader.Attach(new ScriptedConnection().Then("NO").ThenTimeout().Then("OP\r\n"));
            Assert.Equal(LineStatus.TimedOut, reader.ReadLine(Wait));
            Assert.Equal(LineStatus.Line, reader.ReadLine(Wait));
            Assert.Equal("NOOP", Text(reader));
        }

        [Fact]
        public void OutputBufferBatchesUntilFlushed()
        {
            var connection = new ScriptedConnection();
            var output = new OutputBuffer(16, new Deadline(new ManualClock()));
            output.Attach(connection);
            output.Append("250-first");
            output.AppendCrLf();
            Assert.Equal(0, connection.Writes);
            output.Append("250 second line");
            output.AppendCrLf();
            output.Flush();
            Assert.Equal("250-first\r\n250 second line\r\n", connection.WrittenText);
        }
    }
}

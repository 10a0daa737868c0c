using System;
using System.Collections.Generic;
using System.Text;
using Emailcore.Nano.Smtp.Wire;
using Emailcore.Nano.Text;
using Xunit;

namespace Emailcore.Nano.Tests.Smtp
{
    /// <summary>Wire/DataReader and Wire/DataWriter, each fed a byte at a time, in chunks and whole (RFC 5321 §4.5.2, §2.3.8).</summary>
    public sealed class DataTransparencyTests
    {
        public static readonly TheoryData<int> Pieces = new TheoryData<int> { 1, 2, 3, 5, 1 << 20 };

        /// <summary>What the reader made of a stream: the content, the bare CR/LF reports, and what followed the end (null: no end).</summary>
        private sealed record Decoded(string Content, int Bare, string? After);

        private static Decoded Decode(string input, int piece)
        {
            byte[] all = Encoding.Latin1.GetBytes(input);
            var reader = new DataReader();
            reader.Start();
            var content = new StringBuilder();
            int bare = 0;

            // Bytes the reader kept back are handed to it again with the next piece, as LineReader would.
            var pending = new List<byte>();
            for (int at = 0; at < all.Length || pending.Count > 0;)
            {
                int take = Math.Min(piece, all.Length - at);
                pending.AddRange(new ArraySegment<byte>(all, at, take));
                at += take;
                byte[] buffer = pending.ToArray();
                int offset = 0;
                while (offset < buffer.Length)
                {
                    DataStatus status = reader.Read(buffer, offset, buffer.Length - offset);
                    content.Append(Encoding.Latin1.GetString(buffer, offset, reader.Produced));
                    offset += reader.Consumed;
                    if (status == DataStatus.End)
                    {
                        return new Decoded(content.ToString(), bare, Encoding.Latin1.GetString(buffer, offset, buffer.Length - offset) + Encoding.Latin1.GetString(all, at, all.Length - at));
                    }

                    bare += status == DataStatus.BareNewline ? 1 : 0;
                    if (reader.Consumed == 0)
                    {
                        Assert.True(at < all.Length, "the reader kept bytes back at the end of the input");
                        break;
                    }
                }

                pending.RemoveRange(0, offset);
            }

            return new Decoded(content.ToString(), bare, null);
        }

        [Theory]
        [MemberData(nameof(Pieces))]
        public void EndsAtCrLfDotCrLfAndLeavesWhatFollows(int piece)
        {
            Assert.Equal(new Decoded("Subject: x\r\n\r\nbody\r\n", 0, "QUIT\r\n"), Decode("Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n", piece));
        }

        [Theory]
        [MemberData(nameof(Pieces))]
        public void AnEmptyMessageEndsAtOnce(int piece)
        {
            Assert.Equal(new Decoded("", 0, ""), Decode(".\r\n", piece));
        }

        [Theory]
        [MemberData(nameof(Pieces))]
        public void LeadingDotsLoseOneDot(int piece)
        {
            Assert.Equal(new Decoded(".\r\n..x\r\ny\r\na.b\r\n", 0, ""), Decode("..\r\n...x\r\n.y\r\na.b\r\n.\r\n", piece));
        }

        [Theory]
        [MemberData(nameof(Pieces))]
        public void OnlyCrLfDotCrLfEnds(int piece)
        {
            // RFC 5321 §4.1.1.4: LF.LF, CR.CR, LF.CRLF and CRLF.LF are content (the smuggling attempts), each reported bare.
            Decoded d = Decode("a\n.\nb\r.\rc\n.\r\nd\r\n.\ne\r\n.\r\n", piece);
            Assert.Equal("a\n\nb\r.\rc\n\r\nd\r\n\ne\r\n", d.Content);
            Assert.Equal(6, d.Bare);
            Assert.Equal("", d.After);
        }

        [Theory]
        [MemberData(nameof(Pieces))]
        public void BareCrAndLfPassUnchangedAndAreReportedOnceEach(int piece)
        {
            Assert.Equal(new Decoded("a\rb\nc\r\r\nd\r\n", 3, ""), Decode("a\rb\nc\r\r\nd\r\n.\r\n", piece));
        }

        [Theory]
        [MemberData(nameof(Pieces))]
        public void AStreamWithoutItsEndIsAllContent(int piece)
        {
            Assert.Equal(new Decoded("x\r\n.y\r\n", 0, null), Decode("x\r\n..y\r\n", piece));
        }

        [Fact]
        public void ACrAfterALeadingDotWaitsForTheNextByte()
        {
            var reader = new DataReader();
            reader.Start();
            byte[] buffer = Encoding.ASCII.GetBytes(".\r");
            Assert.Equal(DataStatus.Content, reader.Read(buffer, 0, 2));
            Assert.Equal(1, reader.Consumed);
            Assert.Equal(0, reader.Produced);
        }

        private sealed class Collected : BufferedWriter
        {
            private readonly StringBuilder _text = new StringBuilder();

            public Collected() : base(4)
            {
            }

            public string Text
            {
                get
                {
                    Flush();
                    return _text.ToString();
                }
            }

            protected override void Drain(byte[] buffer, int count) => _text.Append(Encoding.Latin1.GetString(buffer, 0, count));
        }

        private static string Encode(string content, int piece)
        {
            byte[] all = Encoding.Latin1.GetBytes(content);
            var output = new Collected();
            int state = DataWriter.Start;
            for (int at = 0; at < all.Length; at += piece)
            {
                state = DataWriter.Write(output, all, at, Math.Min(piece, all.Length - at), state);
            }

            DataWriter.End(output, state);
            return output.Text;
        }

        [Theory]
        [MemberData(nameof(Pieces))]
        public void WriterDoublesLeadingDotsAndEndsWithTheDot(int piece)
        {
            Assert.Equal("..\r\n...x\r\na.b\r\n.\r\n", Encode(".\r\n..x\r\na.b\r\n", piece));
        }

        [Theory]
        [MemberData(nameof(Pieces))]
        public void WriterMakesEveryLineEndCrLf(int piece)
        {
            Assert.Equal("a\r\nb\r\nc\r\n\r\n..d\r\n.\r\n", Encode("a\rb\nc\r\n\r.d", piece));
        }

        [Theory]
        [MemberData(nameof(Pieces))]
        public void WriterClosesAnOpenOrCrEndedLastLine(int piece)
        {
            Assert.Equal("x\r\n.\r\n", Encode("x", piece));
            Assert.Equal("x\r\n.\r\n", Encode("x\r", piece));
            Assert.Equal(".\r\n", Encode("", piece));
        }

        [Theory]
        [MemberData(nameof(Pieces))]
        public void WhatTheWriterSendsTheReaderGivesBack(int piece)
        {
            const string content = ".hidden\r\n.\r\n..\r\nend\r\n";
            string wire = Encode(content, piece);
            Assert.Equal(new Decoded(content, 0, ""), Decode(wire, piece));
        }
    }
}

#nullable disable
using Emailcore.Nano.Smtp.Client;
using Emailcore.Nano.Smtp.Wire;
using Emailcore.Nano.Tests.Support;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Tests.Portable
{
    /// <summary>RFC 5321 §4.2 replies (RFC 2034/3463 enhanced codes), fed in every fragmentation a network can produce.</summary>
    public static class ReplyCases
    {
        public static void Register(TestList t)
        {
            int[] pieces = { 1, 3, 1000 };
            for (int i = 0; i < pieces.Length; i++)
            {
                int piece = pieces[i];
                t.Add("Reply.multi-line replies with enhanced codes in pieces of " + piece.ToString(), delegate { MultiLine(piece); });
            }

            string[] statuses = { "250 2.1.0 Ok\r\n", "2.1.0", "451 4.7.1 try later\r\n", "4.7.1", "554 5.7.139 basic authentication is disabled\r\n", "5.7.139",
                "250 Ok\r\n", "2.0.0", "550 5.1 half a code\r\n", "5.0.0", "250\r\n", "2.0.0" };
            for (int i = 0; i < statuses.Length; i += 2)
            {
                string text = statuses[i];
                string status = statuses[i + 1];
                t.Add("Reply.status " + status + " of " + Check.Show(text), delegate
                {
                    Reply reply = Reader(new ScriptedConnection().Then(text));
                    Check.True(reply.Read(1000, null), "read");
                    Check.Equal(status, reply.Status());
                });
            }

            string[] malformed = { "250-a\r\n251 b\r\n", "reply lines with different codes", "abc\r\n", "malformed reply line", "600 no such class\r\n", "malformed reply line",
                "250x\r\n", "malformed reply line", "250-never ends", "connection closed by the server" };
            for (int i = 0; i < malformed.Length; i += 2)
            {
                string text = malformed[i];
                string why = malformed[i + 1];
                t.Add("Reply.protocol error: " + Check.Show(text), delegate
                {
                    Reply reply = Reader(new ScriptedConnection().Then(text));
                    Check.False(reply.Read(1000, null), "read fails");
                    Check.Equal(why, reply.Error);
                    Check.False(reply.TimedOut, "not a timeout");
                });
            }

            t.Add("Reply.timeout is reported as such", delegate
            {
                Reply reply = Reader(new ScriptedConnection().Then("250-a\r\n").ThenTimeout());
                Check.False(reply.Read(1000, null), "read fails");
                Check.True(reply.TimedOut, "timed out");
            });
            t.Add("Reply.long lines keep their start and continuations join", delegate
            {
                Reply reply = Reader(new ScriptedConnection().Then("451-4.3.0 " + new string('x', 300) + "\r\n451 second part\r\n"));
                Check.True(reply.Read(1000, null), "read");
                Check.Equal(451, reply.Code);
                Check.Equal("4.3.0", reply.Status());
                Check.StartsWith("451 4.3.0 xxxx", reply.Summary());
                Check.True(reply.TextLength <= Reply.MaxText, "text within " + Reply.MaxText.ToString());
            });
        }

        private static Reply Reader(ScriptedConnection connection)
        {
            var lines = new LineReader(64);
            lines.Attach(connection);
            return new Reply(lines, new Deadline(new ManualClock()));
        }

        private static void MultiLine(int piece)
        {
            string seen = "";
            Reply reply = Reader(new ScriptedConnection().ThenInPieces("250-mx.example greets you\r\n250-PIPELINING\r\n250 8BITMIME\r\n550 5.1.1 <x@example.com>: no such user\r\n", piece));
            Check.True(reply.Read(1000, delegate(byte[] b, int o, int n) { seen += Ascii.GetString(b, o, n) + "|"; }), "first reply");
            Check.Equal(250, reply.Code);
            Check.Equal("mx.example greets you|PIPELINING|8BITMIME|", seen);
            Check.Equal("2.0.0", reply.Status());
            Check.True(reply.Read(1000, null), "second reply");
            Check.Equal(550, reply.Code);
            Check.Equal("5.1.1", reply.Status());
            Check.Equal("550 5.1.1 <x@example.com>: no such user", reply.Summary());
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Emailcore.Nano.Fuzz;
using Emailcore.Nano.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Emailcore.Nano.Tests.Properties
{
    /// <summary>
    /// Bounded property runs of every fuzz target (the same code tools/fuzz.sh gives libFuzzer): inputs built from
    /// each protocol's own tokens, cut anywhere, so an input often ends exactly at the buffer's end with no CRLF.
    /// A target throwing anything but its typed answers, or breaking an invariant, fails the property with the
    /// input FsCheck shrank it to. Every seed and every past finding is replayed too.
    /// </summary>
    public sealed class FuzzTargetProperties
    {
        private static void Holds(Gen<byte[]> inputs, Action<byte[]> target, int runs)
        {
            Prop.ForAll(inputs.ToArbitrary(), input => target(input)).Check(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(runs).WithQuietOnSuccess(true));
        }

        private static Gen<byte[]> Bytes(int max) => Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf().Resize(max);

        /// <summary>Tokens of a grammar, some random bytes between them, then a cut at any point (the buffer-end cases).</summary>
        private static Gen<byte[]> Tokens(int count, params string[] tokens)
        {
            Gen<byte[]> token = Gen.Frequency(
                (8, Gen.Elements(tokens).Select(t => Encoding.UTF8.GetBytes(t))),
                (1, Bytes(4)));
            return token.ListOf().Resize(count)
                .Select(pieces => pieces.SelectMany(p => p).ToArray())
                .SelectMany(all => Gen.Frequency(
                    (2, Gen.Constant(all)),
                    (1, Gen.Choose(0, all.Length).Select(cut => all[..cut]))));
        }

        private static readonly string[] CommandTokens =
        {
            "MAIL", "RCPT", "EHLO", "HELO", "AUTH", " ", "FROM:", "TO:", "<", ">", "@", ".", ":", ",", "\"", "\\", "[", "]", "IPv6:",
            "a", "b.example", "postmaster", "::1", "2001:db8::", "192.0.2.1", "300", "SIZE=", "99999999999999999999", "BODY=8BITMIME",
            "NOTIFY=", "SUCCESS", "NEVER", "ORCPT=", "rfc822;", "+2B", "+", "ENVID=", "RET=HDRS", "SMTPUTF8", "AUTH=<>", "ü", "=", "\r", "\n",
        };

        /// <summary>A command shaped as RFC 5321 §4.1.2 writes it, each part sometimes wrong or missing, then cut anywhere.</summary>
        private static readonly Gen<byte[]> Commands =
            from verb in Gen.Elements("MAIL ", "RCPT ", "EHLO ", "HELO ", "mail ", "")
            from keyword in Gen.Elements("FROM:", "TO:", "FROM: ", "from:", "")
            from open in Gen.Elements("<", "<", "")
            from route in Gen.Elements("", "", "@a.example:", "@a.example,@b.example:", "@x:", "@:", "@a.example")
            from local in Gen.Elements("a", "\"q\\\"x\"", "postmaster", "ü", "a.b", ".a", "a..b", "", "\"")
            from at in Gen.Elements("@", "@", "")
            from domain in Gen.Elements("b.example", "[192.0.2.1]", "[IPv6:2001:db8::1]", "[", "[IPv6:", "bücher.example", "", "-a.example")
            from close in Gen.Elements(">", ">", "")
            from parameters in Tokens(5, " SIZE=1", " SIZE=99999999999999999999", " NOTIFY=SUCCESS,DELAY", " ORCPT=rfc822;a+40b", " ENVID=x", " BODY=", "=", " ", " RET=FULL")
            let all = Encoding.UTF8.GetBytes(verb + keyword + open + route + local + at + domain + close).Concat(parameters).ToArray()
            from cut in Gen.Frequency((2, Gen.Constant(all.Length)), (1, Gen.Choose(0, all.Length)))
            select all[..cut];

        [Fact]
        public void CommandParser() => Holds(Gen.Frequency((3, Commands), (1, Tokens(30, CommandTokens))), Targets.Command, 3000);

        [Fact]
        public void ReplyParser()
        {
            Gen<byte[]> replies = Tokens(40, "220", "250", "354", "421", "451", "550", "-", " ", "2.0.0", "5.1.1", "4.", "text", "PIPELINING", "SIZE 10", "\r\n", "\n", "\r", "9", new string('x', 300));
            Holds(Gen.Zip(Gen.Choose(0, 255), replies).Select(t => new[] { (byte)t.Item1 }.Concat(t.Item2).ToArray()), Targets.ReplyParser, 1000);
        }

        private static readonly string[] SessionTokens =
        {
            "EHLO c.example\r\n", "HELO c.example\r\n", "MAIL FROM:<a@c.example>", " SIZE=100", " BODY=8BITMIME", " SMTPUTF8", "RCPT TO:<b@localhost>",
            "RCPT TO:<x@far.example>", " NOTIFY=SUCCESS", "\r\n", "DATA\r\n", ".\r\n", "..x\r\n", "line\r\n", "\n", "\r", ".\n", "RSET\r\n",
            "NOOP\r\n", "QUIT\r\n", "STARTTLS\r\n", "AUTH PLAIN ", "AGFsaWNlAHNlY3JldA==", "AUTH LOGIN\r\n", "YWxpY2U=\r\n", "c2VjcmV0\r\n", "*\r\n", "=",
            "VRFY x\r\n", "BDAT 10\r\n", new string('y', 1100),
        };

        [Fact]
        public void WholeSession()
        {
            Gen<byte[]> sessions = Tokens(60, SessionTokens);
            Holds(Gen.Zip(Gen.Choose(0, 255), sessions).Select(t => new[] { (byte)t.Item1 }.Concat(t.Item2).ToArray()), Targets.Session, 400);
        }

        /// <summary>DNS responses built from parts (header, question, records, pointers), then cut or with a byte changed.</summary>
        [Fact]
        public void DnsDecoder()
        {
            byte[] Name(string n) => n.Split('.').SelectMany(l => new[] { (byte)l.Length }.Concat(Encoding.ASCII.GetBytes(l))).Append((byte)0).ToArray();
            Gen<byte[]> name = Gen.Frequency(
                (4, Gen.Elements("example.com", "mx.example.com", "a", "x.y.z.example").Select(Name)),
                (2, Gen.Choose(12, 80).Select(p => new byte[] { (byte)(0xC0 | (p >> 8)), (byte)p })),
                (1, Bytes(6)));
            Gen<byte[]> record =
                from owner in name
                from type in Gen.Elements(1, 5, 6, 15, 28, 41)
                from ttl in Gen.Choose(0, 70000)
                from rdata in Bytes(20)
                select owner.Concat(new byte[] { 0, (byte)type, 0, 1, 0, 0, (byte)(ttl >> 8), (byte)ttl, 0, (byte)rdata.Length }).Concat(rdata).ToArray();
            Gen<byte[]> packet =
                from answers in Gen.Choose(0, 5)
                from authority in Gen.Choose(0, 5)
                from records in record.ListOf().Resize(6)
                from flags in Gen.Elements(0x8180, 0x8183, 0x8380, 0x0100, 0x8980)
                select new byte[] { 0x12, 0x34, (byte)(flags >> 8), (byte)flags, 0, 1, 0, (byte)answers, 0, (byte)authority, 0, 0 }
                    .Concat(Name("example.com")).Concat(new byte[] { 0, 15, 0, 1 }).Concat(records.SelectMany(r => r)).ToArray();
            Gen<byte[]> damaged = packet.SelectMany(p => Gen.Frequency(
                (2, Gen.Constant(p)),
                (1, Gen.Choose(0, p.Length).Select(cut => p[..cut])),
                (1, Gen.Zip(Gen.Choose(0, p.Length - 1), Gen.Choose(0, 255)).Select(t => { byte[] c = (byte[])p.Clone(); c[t.Item1] = (byte)t.Item2; return c; }))));
            Holds(damaged, Targets.Dns, 2000);
        }

        [Fact]
        public void MainCfWithExpansion()
        {
            string[] names = { "myhostname", "mydestination", "alert_sender", "home_mailbox", "queue_directory", "transport_maps", "smtpd_timeout", "mynetworks", "relayhost", "nosuch" };
            Gen<string> line =
                from name in Gen.Elements(names)
                from separator in Gen.Elements(" = ", "=", " ", "")
                from value in Tokens(8, "$", "${", "$(", "}", ")", "myhostname", "alert_sender", "home_mailbox", "mx.example.org", "5m", "127.0.0.0/8", "[a.example]:587", " ", ",", "#")
                select name + separator + Encoding.UTF8.GetString(value);
            Gen<byte[]> file = Gen.Frequency((5, line), (1, Gen.Elements("  continued", "\tmore", "# comment", "", "\ufeff")))
                .ListOf().Resize(12)
                .Select(lines => Encoding.UTF8.GetBytes(string.Join("\n", lines)))
                .SelectMany(all => Gen.Choose(0, all.Length).Select(cut => cut % 3 == 0 ? all[..cut] : all));
            Holds(file, Targets.MainCf, 1000);
        }

        [Fact]
        public void AliasesAndMaps()
        {
            Gen<byte[]> file = Tokens(40, "postmaster", "root", "team", "owner-team", "\"q:x\"", ": ", ":", ", ", ",", "a@b.example", "<c@d.example>", "|cmd", "/file", ":include:/x",
                "\n", "\n  ", "\n\t", "# c\n", "example.com", " ", ".example.org", "*", "[smtp.example.com]:587", "user:pass", "oauth2:tok", "$pbkdf2-sha256$", "1000$", "c2FsdA==$", "AAAA");
            Holds(file, Targets.Maps, 1000);
        }

        /// <summary>Real spools (the seeds) damaged: bytes changed, tails torn anywhere or exactly at a record's start, ranges zeroed or repeated.</summary>
        [Fact]
        public void SpoolRecoveryAndReading()
        {
            byte[][] seeds = Directory.GetFiles(Repo.PathOf("tests", "Emailcore.Nano.Fuzz", "Seeds", "spool")).Select(File.ReadAllBytes).ToArray();
            Gen<Func<byte[], byte[]>> mutation = Gen.Frequency(
                (3, Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Elements(0x00, 0xFF, 0xE5, 0xEC, 0x51, 0x01)).Select(t => (Func<byte[], byte[]>)(s => { byte[] c = (byte[])s.Clone(); c[t.Item1 % c.Length] = (byte)t.Item2; return c; }))),
                (2, Gen.Choose(0, int.MaxValue).Select(p => (Func<byte[], byte[]>)(s => s[..(p % (s.Length + 1))]))),
                (2, Gen.Choose(0, int.MaxValue).Select(p => (Func<byte[], byte[]>)(s => s[..RecordStart(s, p)]))),
                (1, Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Choose(1, 64)).Select(t => (Func<byte[], byte[]>)(s => { byte[] c = (byte[])s.Clone(); int at = t.Item1 % c.Length; Array.Clear(c, at, Math.Min(t.Item2, c.Length - at)); return c; }))),
                (1, Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Choose(1, 300)).Select(t => (Func<byte[], byte[]>)(s => { int at = t.Item1 % s.Length; int n = Math.Min(t.Item2, s.Length - at); return s[..(at + n)].Concat(s[at..]).ToArray(); }))));
            Gen<byte[]> spools = Gen.Zip(Gen.Elements(seeds), mutation.ListOf().Resize(4))
                .Select(t => t.Item2.Aggregate(t.Item1, (s, m) => s.Length == 0 ? s : m(s)));
            Holds(spools, Targets.Spool, 300);
        }

        /// <summary>The offset of the n-th record start (magic 0xEC 0x51) in the input, so a tail is cut exactly at a record boundary.</summary>
        private static int RecordStart(byte[] input, int n)
        {
            var starts = new List<int>();
            for (int i = 0; i + 1 < input.Length; i++)
            {
                if (input[i] == 0xEC && input[i + 1] == 0x51)
                {
                    starts.Add(i);
                }
            }

            return starts.Count == 0 ? input.Length : starts[n % starts.Count];
        }

        public static IEnumerable<object[]> Corpus()
        {
            foreach (string kind in new[] { "Seeds", "Findings" })
            {
                string root = Repo.PathOf("tests", "Emailcore.Nano.Fuzz", kind);
                if (!Directory.Exists(root))
                {
                    continue;
                }

                foreach (string file in Directory.GetFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    yield return new object[] { Path.GetRelativePath(Repo.Root, file) };
                }
            }
        }

        /// <summary>Every seed and every fixed finding (tests/Emailcore.Nano.Fuzz/Findings/TARGET/) still runs clean.</summary>
        [Theory]
        [MemberData(nameof(Corpus))]
        public void SeedsAndFindingsRunClean(string file)
        {
            string target = Path.GetFileName(Path.GetDirectoryName(file))!;
            Targets.Find(target)(File.ReadAllBytes(Repo.PathOf(file)));
        }
    }
}

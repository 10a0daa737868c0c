using System;
using System.IO;
using System.Linq;
using System.Text;
using Emailcore.Nano.Host.Platform;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Relay;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Relay
{
    public sealed class LocalDeliveryAndBounceTests
    {
        private const string Original = "Received: from a by b; Sat, 28 Nov 2026 10:00:00 +0000\r\nreceived: from c by d; Sat, 28 Nov 2026 09:00:00 +0000\r\nFrom: Alice <alice@example.com>\r\nSubject: hi\r\nX-Note: Received: is not a field here\r\n\r\nReceived: in the body does not count\r\nBye.\r\n";

        [Fact]
        public void MaildirDeliveryIsAtomicIdempotentAndStaysInsideItsFolder()
        {
            string root = Path.Combine(Path.GetTempPath(), "emailcore-maildir-" + Path.GetRandomFileName());
            var fs = new HostFileSystem(root);
            var maildir = new MaildirDelivery(fs, "mail", "relay.example", new byte[64]);
            MemoryMessage content = MemoryMessage.Of("Subject: hi\r\n\r\nbody\r\n");

            maildir.Deliver("Alice", "bob@example.com", "alice@localhost", content, 0x3F2A9C, 0, 1_764_000_000);
            maildir.Deliver("Alice", "bob@example.com", "alice@localhost", content, 0x3F2A9C, 0, 1_764_000_000);
            string[] delivered = Directory.GetFiles(Path.Combine(root, "mail", "alice", "new"));
            Assert.Single(delivered);
            Assert.Equal("1764000000.Q3F2A9CR0.relay.example", Path.GetFileName(delivered[0]));
            Assert.Equal("Return-Path: <bob@example.com>\r\nDelivered-To: alice@localhost\r\nSubject: hi\r\n\r\nbody\r\n", File.ReadAllText(delivered[0]));
            Assert.Empty(Directory.GetFiles(Path.Combine(root, "mail", "alice", "tmp")));
            Assert.True(Directory.Exists(Path.Combine(root, "mail", "alice", "cur")));

            maildir.Deliver("../../etc", "", "../../etc@localhost", content, 1, 0, 1);
            maildir.Deliver(".hidden/x", "", "x@localhost", content, 2, 0, 1);
            string[] folders = Directory.GetDirectories(Path.Combine(root, "mail")).Select(Path.GetFileName).OrderBy(n => n).ToArray()!;
            Assert.Equal(new[] { "%2E.%2F..%2Fetc", "%2Ehidden%2Fx", "alice" }, folders);
        }

        [Fact]
        public void HopCountSeesOnlyReceivedFieldsOfTheHeader()
        {
            MemoryMessage message = MemoryMessage.Of(Original);
            Assert.Equal(2, HeaderSection.CountReceived(message, new byte[7]));
            Assert.Equal(2, HeaderSection.CountReceived(message, new byte[4096]));
            Assert.Equal(0, HeaderSection.CountReceived(MemoryMessage.Of("\r\nReceived: x\r\n"), new byte[16]));
        }

        [Theory]
        [InlineData(DsnReturn.Unspecified, 100_000, "message/rfc822")]
        [InlineData(DsnReturn.Headers, 100_000, "text/rfc822-headers")]
        [InlineData(DsnReturn.Full, 10, "text/rfc822-headers")]
        public void BounceIsAMultipartReportThatPythonsEmailPackageParses(DsnReturn ret, long limit, string returned)
        {
            var original = new Envelope(512, 4);
            byte[] from = Encoding.ASCII.GetBytes("alice@example.com");
            original.SetReversePath(from, 0, from.Length);
            byte[] envid = Encoding.ASCII.GetBytes("QQ+2Bid");
            original.SetEnvId(envid, 0, envid.Length);
            original.Ret = ret;
            var dsn = new DeliveryStatusNotification("relay.example", new HostRandom(), limit, new byte[100], "double-bounce", "postmaster");
            var sink = new MemoryMessage();
            sink.Open(original);
            var reports = new[]
            {
                new RecipientReport("bob@example.net", "rfc822;Bob@example.net", "failed", "5.1.1", "mx.example.net[192.0.2.9]:25", "550 5.1.1 <bob@example.net>: no such user", true),
                new RecipientReport("carol@example.net", null, "failed", "4.4.7", null, "delivery time expired", false),
                new RecipientReport("dave@example.net", null, "failed", "5.3.4", "192.0.2.8[192.0.2.8]:25", "552 5.3.4 message of 900 bytes exceeds the limit of 500 bytes that 192.0.2.8[192.0.2.8]:25 announced in EHLO SIZE", false),
            };
            var arrival = new DateTime(2026, 11, 28, 10, 0, 0, DateTimeKind.Utc);
            Assert.True(dsn.Write(sink, "alice@example.com", original, "3F2A9C", arrival, arrival.AddDays(5), reports, reports.Length, MemoryMessage.Of(Original)));

            string script = """
                import sys, email
                from email import policy
                m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.compat32)
                assert m.get_content_type() == 'multipart/report', m.get_content_type()
                assert m.get_param('report-type') == 'delivery-status'
                parts = m.get_payload()
                print(len(parts), parts[0].get_content_type(), parts[1].get_content_type(), parts[2].get_content_type())
                status = parts[1].get_payload()
                print(status[0]['Reporting-MTA'], '|', status[0]['Original-Envelope-Id'])
                for r in status[1:]:
                    print(r['Final-Recipient'], '|', r['Action'], '|', r['Status'], '|', r['Original-Recipient'], '|', r['Remote-MTA'], '|', r['Diagnostic-Code'])
                print(m['Auto-Submitted'], '|', m['To'])
                """;
            RunResult run = Python.Run(script, sink.Text);
            Assert.True(run.ExitCode == 0, run.ToString());
            string[] lines = run.StandardOutput.Replace("\r", "").Split('\n');
            Assert.Equal("3 text/plain message/delivery-status " + returned, lines[0]);
            Assert.Equal("dns; relay.example | QQ+id", lines[1]);
            Assert.Equal("rfc822; bob@example.net | failed | 5.1.1 | rfc822;Bob@example.net | dns; mx.example.net | smtp; 550 5.1.1 <bob@example.net>: no such user", lines[2]);
            Assert.Equal("rfc822; carol@example.net | failed | 4.4.7 | None | None | X-Emailcore; delivery time expired", lines[3]);
            Assert.Equal("rfc822; dave@example.net | failed | 5.3.4 | None | None | X-Emailcore; 552 5.3.4 message of 900 bytes exceeds the limit of 500 bytes that 192.0.2.8[192.0.2.8]:25 announced in EHLO SIZE", lines[4]);
            Assert.Equal("auto-replied | <alice@example.com>", lines[5]);
            Assert.Contains("Subject: hi", sink.Text);
            Assert.Equal(returned == "message/rfc822", sink.Text.Contains("Bye."));
        }

        [Fact]
        public void BounceEnvelopeHasTheNullReversePath()
        {
            var original = new Envelope(256, 2);
            original.Body = BodyType.EightBitMime;
            var dsn = new Envelope(256, 1);
            DeliveryStatusNotification.PrepareEnvelope(dsn, original, null, "alice@example.com");
            Assert.True(dsn.HasReversePath);
            Assert.Equal(0, dsn.ReversePathLength);
            Assert.Equal("alice@example.com", dsn.Recipient(0));
            Assert.Equal(Notify.Never, dsn.RecipientNotify(0));
            Assert.Equal(BodyType.EightBitMime, dsn.Body);
        }
    }
}

using System;
using System.IO;
using System.Text;
using Emailcore.Nano.Config;
using Emailcore.Nano.Host;
using Emailcore.Nano.Mail;
using Xunit;

namespace Emailcore.Nano.Tests.Smtp.Server
{
    /// <summary>The host's stopgap store behind `emailcore relay`: one fsync'd file per committed message, nothing else left behind.</summary>
    public sealed class FileMessageStoreTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "emailcore-store-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_dir))
            {
                Directory.Delete(_dir, recursive: true);
            }
        }

        private static Envelope Envelope()
        {
            var envelope = new Envelope(1024, 4);
            byte[] from = Encoding.ASCII.GetBytes("a@b.example");
            byte[] to = Encoding.ASCII.GetBytes("c@d.example");
            byte[] orcpt = Encoding.ASCII.GetBytes("rfc822;c@d.example");
            envelope.SetReversePath(from, 0, from.Length);
            envelope.Body = BodyType.EightBitMime;
            envelope.AddRecipient(to, 0, to.Length, Notify.Success | Notify.Delay, orcpt, 0, orcpt.Length);
            return envelope;
        }

        [Fact]
        public void CommittedMessageIsOneFileWithItsEnvelopeAndAbortedLeavesNothing()
        {
            var store = new FileMessageStore(_dir, 1 << 20);
            IMessageSink sink = store.CreateSink();
            long id = sink.Open(Envelope());
            byte[] body = Encoding.ASCII.GetBytes("Subject: x\r\n\r\nbody\r\n");
            Assert.True(sink.Write(body, 0, body.Length));
            Assert.True(sink.Commit());
            Assert.Equal(
                "MAIL FROM:<a@b.example> BODY=8BITMIME\r\nRCPT TO:<c@d.example> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;c@d.example\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n",
                File.ReadAllText(Path.Combine(_dir, QueueId.Format(id) + ".msg")));

            sink.Open(Envelope());
            sink.Write(body, 0, body.Length);
            sink.Abort();
            Assert.Single(Directory.GetFiles(_dir));
        }

        [Fact]
        public void QueueSizeLimitIsKeptAndUnacknowledgedLeftoversAreDroppedAtStart()
        {
            var store = new FileMessageStore(_dir, 200);
            IMessageSink sink = store.CreateSink();
            Assert.False(sink.HasRoom(500));
            Assert.True(sink.HasRoom(10));
            sink.Open(Envelope());
            byte[] big = new byte[300];
            Assert.False(sink.Write(big, 0, big.Length));
            sink.Abort();

            File.WriteAllText(Path.Combine(_dir, "ABCDEF.tmp"), "half a message");
            _ = new FileMessageStore(_dir, 200);
            Assert.Empty(Directory.GetFiles(_dir));
        }

        [Fact]
        public void HostApplianceStoreIsTheDurableFileStore()
        {
            var config = new MainConfig(board: false);
            config.Set("queue_directory", _dir, 1);
            Assert.IsType<FileMessageStore>(HostAppliance.CreateStore(config));
        }
    }
}

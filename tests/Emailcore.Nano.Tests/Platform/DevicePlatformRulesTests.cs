using System.Linq;
using Emailcore.Nano.Platform;
using Xunit;

namespace Emailcore.Nano.Tests.Platform
{
    /// <summary>What the board's bindings decide with core code: when a TLS first flight is complete, and the network retry pauses.</summary>
    public sealed class DevicePlatformRulesTests
    {
        [Theory]
        [InlineData(new byte[] { 22, 3, 1, 0x02, 0x00, 1 }, 5 + 512)]
        [InlineData(new byte[] { 22, 3, 3, 0x40, 0x00, 1 }, 5 + 16384)]
        [InlineData(new byte[] { (byte)'E', (byte)'H', (byte)'L', (byte)'O', (byte)' ', (byte)'x' }, -1)]
        [InlineData(new byte[] { 0x80, 0x2e, 1, 0, 2, 0 }, -1)]
        [InlineData(new byte[] { 22, 3, 1, 0x40, 0x01, 1 }, -1)]
        [InlineData(new byte[] { 22, 3, 1, 0, 0, 1 }, -1)]
        [InlineData(new byte[] { 22, 3, 1, 0, 40, 2 }, -1)]
        [InlineData(new byte[] { 21, 3, 1, 0, 2, 2 }, -1)]
        public void ClientHelloRecordIsRecognisedFromItsFirstBytes(byte[] peeked, int expected)
        {
            // RFC 8446 §5.1: handshake record, version 3.x, length ≤ 2^14; §4: client_hello first. SSL 2, alerts, plaintext: no.
            Assert.Equal(expected, TlsClientHello.RecordLength(peeked, 0));
        }

        [Fact]
        public void NetworkRetryDoublesFromFiveSecondsToFiveMinutes()
        {
            Assert.Equal(new[] { 5000, 10000, 20000, 40000, 80000, 160000, 300000, 300000 },
                new[] { 1, 2, 3, 4, 5, 6, 7, 100 }.Select(NetworkRetry.DelayMilliseconds));
        }
    }
}

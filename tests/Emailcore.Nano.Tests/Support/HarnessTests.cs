using System;
using System.IO;
using System.Net.Sockets;
using Xunit;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>The harness itself: a failing script fails its test; a relay leaves no folder behind.</summary>
    public sealed class HarnessTests
    {
        [Fact]
        public void AScriptsFailureIsThrownOnTheTestsThread()
        {
            var server = new ScriptedServer((c, _) =>
            {
                c.Send("220 x\r\n");
                Assert.Equal("EHLO expected", c.ReadLine());
            });
            using (var client = new TcpClient("127.0.0.1", server.Port))
            {
                client.GetStream().Write("EHLO other\r\n"u8);
                client.GetStream().ReadExactly(new byte[7]);
            }

            var thrown = Assert.Throws<AggregateException>(server.Dispose);
            Assert.IsType<Xunit.Sdk.EqualException>(Assert.Single(thrown.InnerExceptions));
        }

        [Fact]
        public void AScriptThatEndsWithTheClientIsNoFailure()
        {
            var server = new ScriptedServer((c, _) => { c.Send("220 x\r\n"); c.HoldUntilClosed(); });
            using (var client = new TcpClient("127.0.0.1", server.Port))
            {
                client.GetStream().ReadExactly(new byte[7]);
            }

            server.Dispose();
        }
    }
}

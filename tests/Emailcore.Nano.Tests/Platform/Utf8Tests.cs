using System.Text;
using Emailcore.Nano.Text;
using Xunit;

namespace Emailcore.Nano.Tests.Platform
{
    /// <summary>The core's hand-written UTF-8 agrees with .NET's, including on invalid input.</summary>
    public sealed class Utf8Tests
    {
        [Theory]
        [InlineData("plain ascii")]
        [InlineData("Grüße, ça va? ✓")]
        [InlineData("emoji 📬 and 中文")]
        [InlineData("")]
        public void RoundTripsLikeSystemText(string text)
        {
            byte[] ours = Utf8.GetBytes(text);
            Assert.Equal(Encoding.UTF8.GetBytes(text), ours);
            Assert.Equal(text, Utf8.GetString(ours, 0, ours.Length));
        }

        [Theory]
        [InlineData(new byte[] { 0xC0, 0x80 })]
        [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
        [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })]
        [InlineData(new byte[] { 0xE2, 0x82 })]
        [InlineData(new byte[] { 0x80, 0x41 })]
        [InlineData(new byte[] { 0xFF })]
        public void InvalidSequencesBecomeReplacementCharacters(byte[] bytes)
        {
            string decoded = Utf8.GetString(bytes, 0, bytes.Length);
            Assert.Contains('\uFFFD', decoded);
            Assert.Equal(Encoding.UTF8.GetString(bytes), decoded);
        }
    }
}

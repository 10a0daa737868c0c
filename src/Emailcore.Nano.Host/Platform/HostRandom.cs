using System;
using System.Security.Cryptography;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Host.Platform
{
    /// <summary>Cryptographic randomness: DNS query ids and ports must not be guessable (RFC 5452).</summary>
    public sealed class HostRandom : IRandom
    {
        public void NextBytes(byte[] buffer, int offset, int count) => RandomNumberGenerator.Fill(buffer.AsSpan(offset, count));

        public int Next(int maxExclusive) => RandomNumberGenerator.GetInt32(maxExclusive);
    }
}

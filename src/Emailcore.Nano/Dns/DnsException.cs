using System;

namespace Emailcore.Nano.Dns
{
    /// <summary>A DNS message that is malformed or does not answer the query; the text says which rule it broke.</summary>
    public class DnsException : Exception
    {
        public DnsException(string message) : base(message)
        {
        }
    }
}

namespace Emailcore.Nano.Dns
{
    /// <summary>A well-formed response that does not answer our query (ID, question or QR); RFC 5452 §9.1 says discard it.</summary>
    public sealed class DnsMismatchException : DnsException
    {
        public DnsMismatchException(string message) : base(message)
        {
        }
    }
}

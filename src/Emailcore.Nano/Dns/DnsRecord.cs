namespace Emailcore.Nano.Dns
{
    /// <summary>One resource record as <see cref="DnsMessage.ReadRecord"/> found it: the rdata stays in the message.</summary>
    public sealed class DnsRecord
    {
        public DnsName Owner { get; } = new DnsName();

        public int Type { get; set; }

        public int Class { get; set; }

        /// <summary>Seconds; RFC 2181 §8: a value with the top bit set counts as zero.</summary>
        public int Ttl { get; set; }

        public int RdataOffset { get; set; }

        public int RdataLength { get; set; }
    }
}

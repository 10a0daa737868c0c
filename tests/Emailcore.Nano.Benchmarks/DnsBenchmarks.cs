using BenchmarkDotNet.Attributes;
using Emailcore.Nano.Dns;
using Emailcore.Nano.Host.Platform;

namespace Emailcore.Nano.Benchmarks
{
    /// <summary>Steady-state cost of decoding an MX answer and of a cache hit: both should allocate nothing.</summary>
    [MemoryDiagnoser]
    public class DnsBenchmarks
    {
        private const int Id = 0x4D2;

        private readonly DnsMessage _message = new();
        private readonly DnsRecord _record = new();
        private readonly DnsName _exchange = new();
        private readonly DnsName _question = new();
        private readonly RecordSet _set = new();
        private byte[] _packet = null!;
        private DnsCache _cache = null!;

        [GlobalSetup]
        public void Setup()
        {
            _question.Set("example.com");
            // Header, question, three MX records with compressed owners and exchanges (as real servers send them).
            var bytes = new System.Collections.Generic.List<byte> { 0x04, 0xD2, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0 };
            bytes.AddRange(new byte[] { 7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 3, (byte)'c', (byte)'o', (byte)'m', 0, 0, 15, 0, 1 });
            for (int i = 1; i <= 3; i++)
            {
                bytes.AddRange(new byte[] { 0xC0, 12, 0, 15, 0, 1, 0, 0, 0x0E, 0x10, 0, 8, 0, (byte)(i * 10), 3, (byte)'m', (byte)'x', (byte)('0' + i), 0xC0, 12 });
            }

            _packet = bytes.ToArray();
            _cache = new DnsCache(16, 4096, new HostClock());
            _set.Clear(RecordType.Mx);
            _exchange.Set("mx1.example.com");
            _set.AddMx(10, _exchange);
            _set.Status = LookupStatus.Found;
            _set.Ttl = 3600;
            _cache.Put(_question, RecordType.Mx, _set);
        }

        [Benchmark]
        public int ParseMxAnswer()
        {
            _message.Parse(_packet, _packet.Length, Id, _question, RecordType.Mx);
            int p = _message.AnswerOffset;
            int total = 0;
            for (int i = 0; i < _message.AnswerCount; i++)
            {
                p = _message.ReadRecord(p, _record);
                _message.ReadName(_record.RdataOffset + 2, _exchange);
                total += _exchange.Length;
            }

            return total;
        }

        [Benchmark]
        public bool CacheHit() => _cache.TryGet(_question, RecordType.Mx, _set);
    }
}

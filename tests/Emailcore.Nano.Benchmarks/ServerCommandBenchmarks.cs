using System;
using System.Text;
using BenchmarkDotNet.Attributes;
using Emailcore.Nano.Config;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Smtp.Wire;

namespace Emailcore.Nano.Benchmarks
{
    /// <summary>
    /// The server's command path. Parse: reading and parsing command lines over the LineReader's buffer, which
    /// must allocate 0 bytes a line. Session: whole SmtpSession runs of a pipelined MAIL/RCPT/RSET batch of
    /// <see cref="SessionLines"/> lines with replies, for commands per second (its allocation is the per-connection
    /// cost: the client's name and the connect/disconnect log lines, spread over the lines).
    /// </summary>
    [MemoryDiagnoser]
    public class ServerCommandBenchmarks
    {
        public const int ParseLines = 4;
        public const int SessionLines = 3000;

        private static readonly byte[] Batch = Encoding.ASCII.GetBytes(
            "MAIL FROM:<sender@client.example> SIZE=12345 BODY=8BITMIME RET=HDRS ENVID=abc123\r\n"
            + "RCPT TO:<rcpt@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;rcpt@example.org\r\n"
            + "RCPT TO:<\"quoted local\"@[IPv6:2001:db8::1]>\r\n"
            + "EHLO client.example\r\n");

        private readonly LoopConnection _loop = new(Batch);
        private readonly LineReader _reader = new(SmtpSession.ReaderCapacity);
        private readonly Deadline _deadline = new(new FixedClock());
        private readonly CommandParser _parser = new();
        private SmtpSession _session = null!;
        private LoopConnection _sessionInput = null!;

        [GlobalSetup]
        public void Setup()
        {
            _reader.Attach(_loop);
            _deadline.Start(1000);
            var config = new MainConfig(board: false);
            config.Set("myhostname", "mx.example.com", 1);
            _session = new SmtpSession(ServerSettings.From(config), new NullSink(), new FixedClock(), new NullLog());
            var script = new StringBuilder("EHLO client.example\r\n");
            for (int i = 0; i < SessionLines / 3; i++)
            {
                script.Append("MAIL FROM:<a@client.example> SIZE=100\r\nRCPT TO:<b@localhost>\r\nRSET\r\n");
            }

            script.Append("QUIT\r\n");
            _sessionInput = new LoopConnection(Encoding.ASCII.GetBytes(script.ToString())) { Once = true };
        }

        [Benchmark(OperationsPerInvoke = ParseLines)]
        public int ParseCommandLines()
        {
            int sum = 0;
            for (int i = 0; i < ParseLines; i++)
            {
                _reader.ReadLine(_deadline);
                byte[] line = _reader.Buffer;
                int argument;
                SmtpVerb verb = CommandParser.ParseVerb(line, _reader.LineOffset, _reader.LineLength, out argument);
                int end = _reader.LineOffset + _reader.LineLength;
                bool ok = verb == SmtpVerb.Mail ? _parser.ParseMail(line, argument, end, false)
                    : verb == SmtpVerb.Rcpt ? _parser.ParseRcpt(line, argument, end, false)
                    : _parser.IsValidHelo(line, argument, end - argument, false, false);
                if (ok && verb != SmtpVerb.Ehlo)
                {
                    int p = _parser.ParamsOffset;
                    while (_parser.NextParam(line, ref p, end))
                    {
                        sum += _parser.KeyLength;
                    }
                }

                sum += ok ? 1 : 0;
            }

            return sum;
        }

        [Benchmark(OperationsPerInvoke = SessionLines)]
        public void SessionCommands()
        {
            _sessionInput.Rewind();
            _session.Run(_sessionInput, ListenMode.Smtp);
        }

        /// <summary>Replays a script: endlessly (parsing) or once per Rewind (sessions); writes are dropped.</summary>
        private sealed class LoopConnection : IConnection
        {
            private readonly byte[] _script;
            private int _position;

            public LoopConnection(byte[] script)
            {
                _script = script;
                LocalEndpoint = new Endpoint();
                Endpoint.TryParse("127.0.0.1:25", 25, LocalEndpoint);
                RemoteEndpoint = new Endpoint();
                Endpoint.TryParse("127.0.0.1:40000", 0, RemoteEndpoint);
            }

            public bool Once { get; init; }

            public string? TlsProtocol => null;

            public Endpoint LocalEndpoint { get; }

            public Endpoint RemoteEndpoint { get; }

            public void Rewind() => _position = 0;

            public int Read(byte[] buffer, int offset, int count, int timeoutMilliseconds)
            {
                if (_position == _script.Length)
                {
                    if (Once)
                    {
                        return 0;
                    }

                    _position = 0;
                }

                int n = Math.Min(count, _script.Length - _position);
                Array.Copy(_script, _position, buffer, offset, n);
                _position += n;
                return n;
            }

            public void Write(byte[] buffer, int offset, int count, int timeoutMilliseconds)
            {
            }

            public void StartTlsClient(string serverName, bool verify, TlsaRecords? dane, int timeoutMilliseconds) => throw new NotSupportedException();

            public void StartTlsServer(int timeoutMilliseconds) => throw new NotSupportedException();

            public void Close()
            {
            }
        }

        private sealed class NullSink : IMessageSink
        {
            public bool HasRoom(long declaredSize) => true;

            public long Open(Envelope envelope) => 1;

            public bool Write(byte[] buffer, int offset, int count) => true;

            public bool Commit() => true;

            public void Abort()
            {
            }
        }

        private sealed class FixedClock : IClock
        {
            public long MonotonicMilliseconds => 0;

            public bool TryGetUtcNow(out DateTime utcNow)
            {
                utcNow = new DateTime(2026, 11, 28, 20, 0, 0, DateTimeKind.Utc);
                return true;
            }

            public void Sleep(int milliseconds)
            {
            }
        }

        private sealed class NullLog : ILog
        {
            public void Write(LogLevel level, string line)
            {
            }
        }
    }
}

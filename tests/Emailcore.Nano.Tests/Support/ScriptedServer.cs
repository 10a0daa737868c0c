using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>
    /// Fault injection for the client: a TCP server on a loopback port the system picks that plays a script per
    /// connection, doing what real servers won't do on demand (stall, send nonsense, break TLS, hang up mid-DATA).
    /// A script that fails (an assertion in it included) fails the test that ran it: <see cref="Dispose"/> waits
    /// for the scripts and rethrows on the test's thread.
    /// </summary>
    public sealed class ScriptedServer : IDisposable
    {
        private static readonly TimeSpan ScriptsEnd = TimeSpan.FromSeconds(30);

        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Thread _thread;
        private readonly List<(Thread Thread, TcpClient Client)> _scripts = new();
        private readonly ConcurrentQueue<Exception> _failures = new();
        private int _connections;

        public ScriptedServer(Action<Conversation, int> script)
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _thread = new Thread(() =>
            {
                while (true)
                {
                    TcpClient client;
                    try
                    {
                        client = _listener.AcceptTcpClient();
                    }
                    catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
                    {
                        // Stopped.
                        return;
                    }

                    int n = Interlocked.Increment(ref _connections);
                    var thread = new Thread(() => Play(script, client, n)) { IsBackground = true };
                    lock (_scripts)
                    {
                        _scripts.Add((thread, client));
                    }

                    thread.Start();
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public int Port { get; }

        public int Connections => _connections;

        /// <summary>Stops listening, waits (bounded) for every script to end, and throws what any of them threw.</summary>
        public void Dispose()
        {
            _listener.Stop();
            _thread.Join();
            (Thread Thread, TcpClient Client)[] scripts;
            lock (_scripts)
            {
                scripts = _scripts.ToArray();
            }

            foreach ((Thread thread, TcpClient client) in scripts)
            {
                if (!thread.Join(ScriptsEnd))
                {
                    // A script still waiting for a client that will not come back: its read ends with the socket.
                    client.Close();
                    thread.Join();
                    _failures.Enqueue(new TimeoutException("a script of this server was still running " + ScriptsEnd + " after the test"));
                }
            }

            if (!_failures.IsEmpty)
            {
                throw new AggregateException("the scripted server's script failed", _failures);
            }
        }

        private void Play(Action<Conversation, int> script, TcpClient client, int n)
        {
            using (client)
            {
                try
                {
                    script(new Conversation(client), n);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
                {
                    // The client hung up; the script is over.
                }
                catch (Exception e)
                {
                    _failures.Enqueue(e);
                }
            }
        }

        /// <summary>One connection: lines in, raw text out.</summary>
        public sealed class Conversation
        {
            private readonly NetworkStream _stream;
            private readonly StreamReader _reader;

            public Conversation(TcpClient client)
            {
                Client = client;
                _stream = client.GetStream();
                _reader = new StreamReader(_stream, Encoding.Latin1);
            }

            public TcpClient Client { get; }

            public StringBuilder Received { get; } = new();

            public void Send(string text)
            {
                byte[] bytes = Encoding.Latin1.GetBytes(text);
                _stream.Write(bytes, 0, bytes.Length);
            }

            public string ReadLine()
            {
                string line = _reader.ReadLine() ?? throw new IOException("client closed");
                Received.Append(line).Append('\n');
                return line;
            }

            /// <summary>Holds the connection, answering nothing and dropping what arrives, until the client closes it.</summary>
            public void HoldUntilClosed()
            {
                var sink = new char[4096];
                while (_reader.Read(sink, 0, sink.Length) > 0)
                {
                }
            }

            /// <summary>Answers EHLO with the given extensions (after the name line).</summary>
            public void Greet(params string[] extensions)
            {
                Send("220 scripted.example ESMTP\r\n");
                ReadLine();
                var reply = new StringBuilder("250");
                reply.Append(extensions.Length == 0 ? " " : "-").Append("scripted.example\r\n");
                for (int i = 0; i < extensions.Length; i++)
                {
                    reply.Append(i == extensions.Length - 1 ? "250 " : "250-").Append(extensions[i]).Append("\r\n");
                }

                Send(reply.ToString());
            }
        }
    }
}

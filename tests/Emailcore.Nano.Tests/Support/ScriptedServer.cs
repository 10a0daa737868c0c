using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>
    /// Fault injection for the client: a TCP server on a free loopback port that plays a script per connection,
    /// doing what real servers won't do on demand (stall, send nonsense, break TLS, hang up mid-DATA).
    /// </summary>
    public sealed class ScriptedServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Thread _thread;
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
                    new Thread(() =>
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
                        }
                    }) { IsBackground = true }.Start();
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public int Port { get; }

        public int Connections => _connections;

        public void Dispose() => _listener.Stop();

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

using System.Threading;
using Emailcore.Nano.Config;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Smtp.Server
{
    /// <summary>
    /// The listeners of smtpd_listen and a fixed number of session slots (smtpd_client_connection_count_limit):
    /// one thread per session, sessions and their buffers created once per slot and reused.
    /// </summary>
    public sealed class SmtpServer
    {
        private const int AcceptPollMilliseconds = 250;

        private readonly ServerSettings _settings;
        private readonly INetwork _network;
        private readonly IMessageStore _store;
        private readonly IClock _clock;
        private readonly ILog _log;
        private readonly ListenSpec[] _specs;
        private readonly IListener[] _listeners;
        private readonly Thread[] _acceptors;
        private readonly SmtpSession[] _sessions;
        private readonly bool[] _busy;
        private readonly object _gate = new object();
        private int _active;
        private bool _stopping;

        /// <param name="lookups">One per session slot (smtpd_client_connection_count_limit) when <see cref="ServerSettings.NeedsClientLookup"/>, else null.</param>
        public SmtpServer(ServerSettings settings, ListenSpec[] listeners, INetwork network, IMessageStore store, IClock clock, ILog log, IClientLookup[] lookups = null)
        {
            _settings = settings;
            _specs = listeners;
            _network = network;
            _store = store;
            _clock = clock;
            _log = log;
            _listeners = new IListener[listeners.Length];
            _acceptors = new Thread[listeners.Length];
            _sessions = new SmtpSession[settings.ConnectionLimit];
            _busy = new bool[settings.ConnectionLimit];

            // Every slot is allocated now, so a full server needs no more memory than an idle one
            // (and a board that cannot hold them fails at start, not with the Nth client).
            for (int i = 0; i < _sessions.Length; i++)
            {
                _sessions[i] = new SmtpSession(settings, store.CreateSink(), clock, log, lookups == null ? null : lookups[i]);
            }
        }

        /// <summary>Sessions running now.</summary>
        public int ActiveSessions
        {
            get { return _active; }
        }

        /// <summary>Where listener <paramref name="index"/> listens (its port when 0 was asked for).</summary>
        public Endpoint LocalEndpoint(int index)
        {
            return _listeners[index].LocalEndpoint;
        }

        /// <summary>Binds every listener (throws <see cref="ConnectionException"/> if one cannot) and starts accepting.</summary>
        public void Start()
        {
            for (int i = 0; i < _specs.Length; i++)
            {
                try
                {
                    _listeners[i] = _network.Listen(_specs[i].Endpoint);

                    // Port 0 has the system pick a free port: from here on it is the listener's port, for OwnListeners too.
                    if (_specs[i].Endpoint.Port == 0)
                    {
                        _specs[i].Endpoint.Port = _listeners[i].LocalEndpoint.Port;
                    }
                }
                catch (ConnectionException)
                {
                    for (int j = 0; j < i; j++)
                    {
                        _listeners[j].Close();
                    }

                    throw;
                }
            }

            for (int i = 0; i < _specs.Length; i++)
            {
                _acceptors[i] = new Thread(new Acceptor(this, i).Run);
                _acceptors[i].Start();
            }
        }

        /// <summary>Stops accepting, lets running sessions finish within smtpd_shutdown_timeout, then cuts the rest.</summary>
        public void Stop()
        {
            _stopping = true;
            for (int i = 0; i < _acceptors.Length; i++)
            {
                if (_acceptors[i] != null)
                {
                    _acceptors[i].Join();
                }

                if (_listeners[i] != null)
                {
                    _listeners[i].Close();
                }
            }

            long deadline = _clock.MonotonicMilliseconds + _settings.ShutdownMilliseconds;
            while (_active > 0 && _clock.MonotonicMilliseconds < deadline)
            {
                _clock.Sleep(50);
            }

            if (_active > 0)
            {
                _log.Write(LogLevel.Warning, "stopping: cutting " + _active.ToString() + " session(s) still running");
                Monitor.Enter(_gate);
                try
                {
                    for (int i = 0; i < _sessions.Length; i++)
                    {
                        if (_busy[i])
                        {
                            _sessions[i].Abort();
                        }
                    }
                }
                finally
                {
                    Monitor.Exit(_gate);
                }

                deadline = _clock.MonotonicMilliseconds + 5000;
                while (_active > 0 && _clock.MonotonicMilliseconds < deadline)
                {
                    _clock.Sleep(50);
                }
            }
        }

        private void AcceptLoop(int index)
        {
            IListener listener = _listeners[index];
            ListenMode mode = _specs[index].Mode;
            while (!_stopping)
            {
                IConnection connection;
                try
                {
                    connection = listener.Accept(AcceptPollMilliseconds);
                }
                catch (ConnectionException e)
                {
                    _log.Write(LogLevel.Error, "accept on " + listener.LocalEndpoint.ToString() + " failed: " + e.Message);
                    _clock.Sleep(AcceptPollMilliseconds);
                    continue;
                }

                if (connection == null)
                {
                    continue;
                }

                int slot = Claim();
                if (slot < 0)
                {
                    Refuse(connection);
                    continue;
                }

                try
                {
                    new Thread(new Runner(this, slot, connection, mode).Run).Start();
                }
                catch (System.OutOfMemoryException)
                {
                    // No heap for the session's thread: the client is cut and retries; the acceptor goes on.
                    connection.Close();
                    Release(slot);
                    _clock.Sleep(AcceptPollMilliseconds);
                }
            }
        }

        private int Claim()
        {
            Monitor.Enter(_gate);
            try
            {
                for (int i = 0; i < _busy.Length; i++)
                {
                    if (!_busy[i])
                    {
                        _busy[i] = true;
                        Interlocked.Increment(ref _active);
                        return i;
                    }
                }

                return -1;
            }
            finally
            {
                Monitor.Exit(_gate);
            }
        }

        private void Release(int slot)
        {
            Monitor.Enter(_gate);
            try
            {
                _busy[slot] = false;
                Interlocked.Decrement(ref _active);
            }
            finally
            {
                Monitor.Exit(_gate);
            }
        }

        /// <summary>RFC 5321 §3.1 with smtpd_client_connection_count_limit: 421 4.3.2 and close.</summary>
        private void Refuse(IConnection connection)
        {
            _log.Write(LogLevel.Warning, "connection count limit " + _busy.Length.ToString() + " reached: refusing unknown[" + connection.RemoteEndpoint.AddressText() + "]");
            try
            {
                string name = _settings.HostName.Length > 0 ? _settings.HostName : "[" + connection.LocalEndpoint.AddressText() + "]";
                byte[] reply = Ascii.GetBytes("421 4.3.2 " + name + " Error: too many connections, try again later\r\n");
                connection.Write(reply, 0, reply.Length, 5000);
            }
            catch (ConnectionException)
            {
                // It went away first; nothing to tell it.
            }

            connection.Close();
        }

        /// <summary>A thread start for one listener (nanoFramework has no lambdas capturing into ThreadStart portably).</summary>
        private sealed class Acceptor
        {
            private readonly SmtpServer _server;
            private readonly int _index;

            public Acceptor(SmtpServer server, int index)
            {
                _server = server;
                _index = index;
            }

            public void Run()
            {
                _server.AcceptLoop(_index);
            }
        }

        private sealed class Runner
        {
            private readonly SmtpServer _server;
            private readonly int _slot;
            private readonly IConnection _connection;
            private readonly ListenMode _mode;

            public Runner(SmtpServer server, int slot, IConnection connection, ListenMode mode)
            {
                _server = server;
                _slot = slot;
                _connection = connection;
                _mode = mode;
            }

            public void Run()
            {
                try
                {
                    _server._sessions[_slot].Run(_connection, _mode);
                }
                catch (System.Exception e)
                {
                    // A bug in one session must not take the relay down; it is logged and the slot freed.
                    _server._log.Write(LogLevel.Error, "session failed: " + e.Message);
                }
                finally
                {
                    _server.Release(_slot);
                }
            }
        }
    }
}

using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Smtp.Server
{
    /// <summary>
    /// `emailcore relay` started on free loopback ports with a test certificate and users file, driven by real
    /// clients: Python's smtplib, swaks, curl and Postfix's smtp-source. mynetworks leaves 127.0.0.1 out, so
    /// loopback clients may send to localhost but relay only after AUTH.
    /// </summary>
    public sealed class RelayFixture : IDisposable
    {
        private readonly StringBuilder _log = new();

        private readonly SilentPort _silentDns = SilentPort.Udp();

        public RelayFixture()
        {
            Directory.CreateDirectory(Root);
            Run.Program("openssl", new[]
            {
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", Path.Combine(Root, "key.pem"), "-out", Path.Combine(Root, "cert.pem"),
            }, TimeSpan.FromSeconds(30));
            byte[] salt = RandomNumberGenerator.GetBytes(16);
            byte[] hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(Password), salt, 2000, HashAlgorithmName.SHA256, 32);
            File.WriteAllText(Path.Combine(Root, "users"), "alice:$pbkdf2-sha256$2000$" + Convert.ToBase64String(salt) + "$" + Convert.ToBase64String(hash) + "\n");
            // Port 0: the relay binds what the system gives it and logs it, so no port is picked here and lost in a race.
            File.WriteAllText(ConfigFile,
                "smtpd_listen = 127.0.0.1:0, 127.0.0.1:0/smtps, [::1]:0\n" +
                "myhostname = relay.test.example\n" +
                "mynetworks = 192.0.2.0/24\n" +
                $"queue_directory = {Queue}\n" +
                $"home_mailbox = {Root}/mail\n" +
                $"dns_servers = 127.0.0.1:{_silentDns.Port}\n" +
                $"smtpd_tls_cert_file = {Root}/cert.pem\n" +
                $"smtpd_tls_key_file = {Root}/key.pem\n" +
                "smtpd_sasl_auth_enable = yes\n" +
                $"smtpd_sasl_users = {Root}/users\n" +
                "smtpd_error_sleep_time = 0s\n" +
                "smtpd_shutdown_timeout = 5s\n");
            Process = Start(ConfigFile, _log, listeners: 3);
            Port = ListenerPort(@"127\.0\.0\.1:(\d+)$");
            SmtpsPort = ListenerPort(@"127\.0\.0\.1:(\d+)/smtps$");
            V6Port = ListenerPort(@"\[::1\]:(\d+)$");
        }

        public const string Password = "s3cret pass";

        public string Root { get; } = Path.Combine(Path.GetTempPath(), "emailcore-relay-" + Guid.NewGuid().ToString("N"));

        public string ConfigFile => Path.Combine(Root, "main.cf");

        public string Queue => Path.Combine(Root, "queue");

        public int Port { get; }

        public int SmtpsPort { get; }

        public int V6Port { get; }

        public Process Process { get; }

        public string Log
        {
            get
            {
                lock (_log)
                {
                    return _log.ToString();
                }
            }
        }

        /// <summary>Stored messages whose envelope names this recipient.</summary>
        public string[] StoredFor(string recipient) => Delivered.For(Queue, Path.Combine(Root, "mail"), recipient).Values.ToArray();

        public static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        private int ListenerPort(string pattern)
        {
            Match m = Regex.Match(Log, "listening on " + pattern, RegexOptions.Multiline);
            return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : throw new InvalidOperationException("no listener " + pattern + " in the relay's log:\n" + Log);
        }

        /// <summary>Starts `emailcore relay --config FILE` and waits (bounded) until it has logged <paramref name="listeners"/> listeners.</summary>
        public static Process Start(string config, StringBuilder log, int listeners = 1)
        {
            int listening = 0;
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(Repo.EmailcoreDll);
            start.ArgumentList.Add("relay");
            start.ArgumentList.Add("--config");
            start.ArgumentList.Add(config);
            var process = Process.Start(start)!;
            var started = new ManualResetEventSlim();
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data == null)
                {
                    return;
                }

                lock (log)
                {
                    log.AppendLine(e.Data);
                }

                if (e.Data.Contains("listening on") && Interlocked.Increment(ref listening) == listeners)
                {
                    started.Set();
                }
            };
            process.OutputDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            if (!started.Wait(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException("relay did not start:\n" + log);
            }

            return process;
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10000);
            }

            Process.Dispose();
            _silentDns.Dispose();
            Directory.Delete(Root, recursive: true);
        }
    }

    public sealed class RelayInteropTests : IClassFixture<RelayFixture>
    {
        private readonly RelayFixture _relay;

        public RelayInteropTests(RelayFixture relay) => _relay = relay;

        private RunResult Python(string script) =>
            Run.Program("/usr/bin/python3", new[] { "-c", "import smtplib, ssl, socket, sys\nport = " + _relay.Port + "\nsmtps = " + _relay.SmtpsPort + "\nctx = ssl._create_unverified_context()\n" + script }, TimeSpan.FromSeconds(60));

        [Fact]
        public void SmtplibPlainMessageIsStoredByteForByteWithReceived()
        {
            RunResult r = Python(
                "s = smtplib.SMTP('127.0.0.1', port, timeout=20)\n" +
                "s.ehlo('client.example')\n" +
                "print(s.sendmail('a@client.example', ['py-plain@localhost'], b'Subject: py\\r\\nDKIM-Signature: v=1;  x\\r\\n\\r\\nhello\\r\\n.dot line\\r\\n'))\n" +
                "s.quit()\n");
            Assert.True(r.ExitCode == 0, r + _relay.Log);
            string stored = Assert.Single(_relay.StoredFor("py-plain@localhost"));
            Assert.StartsWith("Received: from client.example ([127.0.0.1])\r\n\tby relay.test.example (Emailcore.Nano) with ESMTP id ", stored);
            Assert.EndsWith("\r\nSubject: py\r\nDKIM-Signature: v=1;  x\r\n\r\nhello\r\n.dot line\r\n", stored);
        }

        [Fact]
        public void SmtplibStartTlsAndAuthPlainAndLoginMayRelay()
        {
            RunResult r = Python(
                "s = smtplib.SMTP('127.0.0.1', port, timeout=20)\n" +
                "s.ehlo('client.example')\n" +
                "try:\n    s.sendmail('a@client.example', ['x@far.example'], b'x')\nexcept smtplib.SMTPRecipientsRefused as e:\n    print('refused', e.recipients['x@far.example'][0])\n" +
                "s.starttls(context=ctx)\n" +
                "s.ehlo('client.example')\n" +
                "print('auth' in s.esmtp_features)\n" +
                "print(s.login('alice', '" + RelayFixture.Password + "'))\n" +
                "s.sendmail('a@client.example', ['tls-plain@far.example'], b'Subject: tls\\r\\n\\r\\nx\\r\\n')\n" +
                "s.quit()\n" +
                "s = smtplib.SMTP('127.0.0.1', port, timeout=20)\n" +
                "s.starttls(context=ctx)\n" +
                "s.ehlo('client.example')\n" +
                "s.user, s.password = 'alice', '" + RelayFixture.Password + "'\n" +
                "print(s.auth('LOGIN', s.auth_login, initial_response_ok=False))\n" +
                "s.sendmail('a@client.example', ['tls-login@far.example'], b'x\\r\\n')\n" +
                "try:\n    s2 = smtplib.SMTP('127.0.0.1', port, timeout=20); s2.starttls(context=ctx); s2.login('alice', 'wrong')\nexcept smtplib.SMTPAuthenticationError as e:\n    print('denied', e.smtp_code, e.smtp_error)\n" +
                "s.quit()\n");
            Assert.True(r.ExitCode == 0, r + _relay.Log);
            Assert.Contains("refused 554", r.StandardOutput);
            Assert.Contains("True", r.StandardOutput);
            Assert.Contains("(235, b'2.7.0 Authentication successful')", r.StandardOutput);
            Assert.Contains("denied 535 b'5.7.8 Error: authentication failed'", r.StandardOutput);
            Assert.Contains(" with ESMTPSA id ", Assert.Single(_relay.StoredFor("tls-plain@far.example")));
            Assert.Contains("\t(using TLSv1.3)\r\n", Assert.Single(_relay.StoredFor("tls-login@far.example")));
            Assert.DoesNotContain(RelayFixture.Password, _relay.Log);
            Assert.Contains("sasl_method=PLAIN, sasl_username=alice", _relay.Log);
        }

        [Fact]
        public void Ipv6ClientMaySendToOurAddressLiteral()
        {
            RunResult r = Python(
                "s = smtplib.SMTP('::1', " + _relay.V6Port + ", timeout=20)\n" +
                "s.ehlo('[IPv6:::1]')\n" +
                "print(s.sendmail('a@[IPv6:::1]', ['v6@[IPv6:::1]'], b'x\\r\\n'))\n" +
                "s.quit()\n");
            Assert.True(r.ExitCode == 0, r + _relay.Log);
            Assert.StartsWith("Received: from [IPv6:::1] ([IPv6:::1])\r\n\tby relay.test.example",
                Assert.Single(_relay.StoredFor("v6@[IPv6:::1]")));
            Assert.Contains("connect from unknown[::1]", _relay.Log);
        }

        [Fact]
        public void ImplicitTlsListenerSpeaksTlsFirst()
        {
            RunResult r = Python(
                "s = smtplib.SMTP_SSL('127.0.0.1', smtps, timeout=20, context=ctx)\n" +
                "s.ehlo('client.example')\n" +
                "s.login('alice', '" + RelayFixture.Password + "')\n" +
                "s.sendmail('a@client.example', ['smtps@far.example'], b'x\\r\\n')\n" +
                "s.quit()\n");
            Assert.True(r.ExitCode == 0, r + _relay.Log);
            Assert.Single(_relay.StoredFor("smtps@far.example"));
        }

        [Fact]
        public void PlaintextPipelinedAfterStartTlsIsDiscardedNotExecuted()
        {
            RunResult r = Python(
                "c = socket.create_connection(('127.0.0.1', port), timeout=20)\n" +
                "f = c.makefile('rb')\n" +
                "f.readline()\n" +
                "c.sendall(b'EHLO client.example\\r\\n')\n" +
                "while f.readline()[3:4] == b'-': pass\n" +
                "c.sendall(b'STARTTLS\\r\\nRSET\\r\\nMAIL FROM:<evil@client.example>\\r\\n')\n" +
                "print(f.readline())\n" +
                "t = ctx.wrap_socket(c, server_hostname='localhost')\n" +
                "g = t.makefile('rb')\n" +
                "t.sendall(b'MAIL FROM:<a@client.example>\\r\\n')\n" +
                "print(g.readline())\n" +
                "t.sendall(b'QUIT\\r\\n')\n" +
                "print(g.readline())\n");
            Assert.True(r.ExitCode == 0, r + _relay.Log);

            // Had the injected RSET/MAIL run, their replies would come first; MAIL without a new EHLO gets 503.
            Assert.Equal(new[] { "b'220 2.0.0 Ready to start TLS\\r\\n'", "b'503 5.5.1 Error: send HELO/EHLO first\\r\\n'", "b'221 2.0.0 Bye\\r\\n'" },
                r.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("discarding plaintext pipelined after STARTTLS", _relay.Log);
        }

        [Fact]
        public void SwaksPipelinedPlainAndTlsAuth()
        {
            RunResult plain = Run.Program("swaks", new[] { "--server", "127.0.0.1:" + _relay.Port, "--helo", "client.example", "--from", "a@client.example", "--to", "swaks@localhost", "--pipeline", "--body", "from swaks" }, TimeSpan.FromSeconds(60));
            Assert.True(plain.ExitCode == 0, plain + _relay.Log);
            RunResult auth = Run.Program("swaks", new[]
            {
                "--server", "127.0.0.1:" + _relay.Port, "--helo", "client.example", "--from", "a@client.example", "--to", "swaks-auth@far.example",
                "--tls", "--auth", "LOGIN", "--auth-user", "alice", "--auth-password", RelayFixture.Password,
            }, TimeSpan.FromSeconds(60));
            Assert.True(auth.ExitCode == 0, auth + _relay.Log);
            RunResult denied = Run.Program("swaks", new[] { "--server", "127.0.0.1:" + _relay.Port, "--helo", "client.example", "--from", "a@client.example", "--to", "nope@far.example" }, TimeSpan.FromSeconds(60));
            Assert.NotEqual(0, denied.ExitCode);
            Assert.Contains("554 5.7.1 <nope@far.example>: Relay access denied", denied.StandardOutput);
            Assert.Contains("from swaks", Assert.Single(_relay.StoredFor("swaks@localhost")));
            Assert.Single(_relay.StoredFor("swaks-auth@far.example"));
            Assert.Empty(_relay.StoredFor("nope@far.example"));
        }

        [Fact]
        public void CurlSendsPlainAndOverStartTlsWithAuth()
        {
            string mail = Path.Combine(_relay.Root, "curl-" + Guid.NewGuid().ToString("N") + ".txt");
            File.WriteAllText(mail, "Subject: curl\r\n\r\nvia curl\r\n");
            RunResult plain = Run.Program("curl", new[] { "-sS", "--url", "smtp://127.0.0.1:" + _relay.Port + "/client.example", "--mail-from", "a@client.example", "--mail-rcpt", "curl@localhost", "--upload-file", mail }, TimeSpan.FromSeconds(60));
            Assert.True(plain.ExitCode == 0, plain + _relay.Log);
            RunResult tls = Run.Program("curl", new[]
            {
                "-sS", "--ssl-reqd", "-k", "--url", "smtp://127.0.0.1:" + _relay.Port + "/client.example", "--user", "alice:" + RelayFixture.Password,
                "--mail-from", "a@client.example", "--mail-rcpt", "curl-tls@far.example", "--upload-file", mail,
            }, TimeSpan.FromSeconds(60));
            Assert.True(tls.ExitCode == 0, tls + _relay.Log);
            Assert.EndsWith("Subject: curl\r\n\r\nvia curl\r\n", Assert.Single(_relay.StoredFor("curl@localhost")));
            Assert.Single(_relay.StoredFor("curl-tls@far.example"));
        }

        [Fact]
        public void SmtpSourcePipelinedLoadIsStoredCompletely()
        {
            RunResult r = Run.Program("/usr/sbin/smtp-source", new[] { "-c", "-l", "2000", "-m", "200", "-s", "5", "-M", "client.example", "-f", "a@localhost", "-t", "load@localhost", "127.0.0.1:" + _relay.Port }, TimeSpan.FromSeconds(120));
            Assert.True(r.ExitCode == 0, r + _relay.Log);
            Assert.Equal(200, _relay.StoredFor("load@localhost").Length);
        }
    }
}

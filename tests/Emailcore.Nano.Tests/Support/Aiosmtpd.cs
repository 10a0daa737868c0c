using System;
using System.Diagnostics;
using System.IO;
using Emailcore.Nano.Tests.Smtp.Server;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>
    /// aiosmtpd from Debian with STARTTLS required (or only offered), AUTH after TLS only, and one user. The
    /// certificate names 127.0.0.1 and, when given, one DNS name. Recipients whose local part starts with
    /// "nosuch" get 550 5.1.1; a size limit, when given, is announced in EHLO SIZE (RFC 1870).
    /// </summary>
    public sealed class Aiosmtpd : IDisposable
    {
        private readonly Process _process;
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "emailcore-aio-" + Guid.NewGuid().ToString("N"));

        public Aiosmtpd(string onlyMechanism = "PLAIN", bool requireStartTls = true, string? dnsName = null, int sizeLimit = 0)
        {
            Directory.CreateDirectory(_dir);
            Run.Program("openssl", new[]
            {
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1" + (dnsName == null ? string.Empty : ",DNS:" + dnsName),
                "-keyout", Path.Combine(_dir, "key.pem"), "-out", Certificate,
            });
            Port = RelayFixture.FreePort();
            string exclude = onlyMechanism == "PLAIN" ? "LOGIN" : "PLAIN";
            File.WriteAllText(Path.Combine(_dir, "server.py"), $$"""
                import ssl, time
                from aiosmtpd.controller import Controller
                from aiosmtpd.smtp import AuthResult, LoginPassword
                class Handler:
                    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                        if address.startswith('nosuch'):
                            return '550 5.1.1 <%s>: no such user' % address
                        envelope.rcpt_tos.append(address)
                        return '250 2.1.5 Ok'
                    async def handle_DATA(self, server, session, envelope):
                        with open('{{_dir}}/received', 'a') as f:
                            f.write('%s|%s|%s\n' % (envelope.mail_from, ','.join(envelope.rcpt_tos), session.authenticated))
                        with open('{{_dir}}/transport', 'a') as f:
                            f.write('%s|%s\n' % (','.join(envelope.rcpt_tos), 'tls' if session.ssl is not None else 'plain'))
                        return '250 2.0.0 stored'
                def check(server, session, envelope, mechanism, data):
                    return AuthResult(success=isinstance(data, LoginPassword) and data.login == b'relayuser' and data.password == b'relay-pass', handled=False)
                ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                ctx.load_cert_chain('{{Certificate}}', '{{_dir}}/key.pem')
                c = Controller(Handler(), hostname='127.0.0.1', port={{Port}}, tls_context=ctx, require_starttls={{(requireStartTls ? "True" : "False")}},
                               auth_require_tls=True, authenticator=check, auth_exclude_mechanism=['{{exclude}}'],
                               data_size_limit={{(sizeLimit > 0 ? sizeLimit.ToString() : "None")}})
                c.start()
                print('ready', flush=True)
                while True:
                    time.sleep(1)
                """);
            _process = Process.Start(new ProcessStartInfo(Support.Python.Executable) { ArgumentList = { Path.Combine(_dir, "server.py") }, RedirectStandardOutput = true, RedirectStandardError = true })!;
            string? ready = _process.StandardOutput.ReadLine();
            if (ready != "ready")
            {
                throw new InvalidOperationException("aiosmtpd did not start: " + _process.StandardError.ReadToEnd());
            }
        }

        public int Port { get; }

        public string Certificate => Path.Combine(_dir, "cert.pem");

        public string Received => File.Exists(Path.Combine(_dir, "received")) ? File.ReadAllText(Path.Combine(_dir, "received")) : string.Empty;

        /// <summary>One line per message, "recipients|tls" or "recipients|plain": whether it came after STARTTLS.</summary>
        public string Transport => File.Exists(Path.Combine(_dir, "transport")) ? File.ReadAllText(Path.Combine(_dir, "transport")) : string.Empty;

        public void Dispose()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
            _process.Dispose();
            Directory.Delete(_dir, recursive: true);
        }
    }
}

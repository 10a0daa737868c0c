using System;
using System.Diagnostics;
using System.IO;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>A test certificate authority made by openssl, and server certificates it signs.</summary>
    public sealed class TestCa : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "emailcore-ca-" + Guid.NewGuid().ToString("N"));

        public TestCa()
        {
            Directory.CreateDirectory(_dir);
            OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                "-subj", "/CN=Emailcore Test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
                "-keyout", Path.Combine(_dir, "ca.key"), "-out", Certificate);
        }

        public string Certificate => Path.Combine(_dir, "ca.pem");

        /// <summary>Issues a certificate for <paramref name="dnsName"/>; returns (certificate, key) paths.</summary>
        public (string Certificate, string Key) Issue(string dnsName)
        {
            string key = Path.Combine(_dir, dnsName + ".key");
            string request = Path.Combine(_dir, dnsName + ".csr");
            string certificate = Path.Combine(_dir, dnsName + ".pem");
            string extensions = Path.Combine(_dir, dnsName + ".ext");
            File.WriteAllText(extensions, "subjectAltName=DNS:" + dnsName + "\n");
            OpenSsl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=" + dnsName, "-keyout", key, "-out", request);
            OpenSsl("x509", "-req", "-in", request, "-CA", Certificate, "-CAkey", Path.Combine(_dir, "ca.key"), "-CAcreateserial", "-days", "1",
                "-extfile", extensions, "-out", certificate);
            return (certificate, key);
        }

        /// <summary>A file of PEM roots: this CA's and the other certificates given (self-signed test servers).</summary>
        public string Roots(params string[] others)
        {
            string path = Path.Combine(_dir, "roots-" + Guid.NewGuid().ToString("N") + ".pem");
            File.WriteAllText(path, File.ReadAllText(Certificate));
            foreach (string other in others)
            {
                File.AppendAllText(path, File.ReadAllText(other));
            }

            return path;
        }

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        /// <summary>The DER of a PEM certificate (selector 0) or of its SubjectPublicKeyInfo (selector 1), as openssl writes them.</summary>
        public static byte[] Der(string certificate, bool publicKeyOnly)
        {
            string output = Path.GetTempFileName();
            try
            {
                if (publicKeyOnly)
                {
                    string pem = output + ".pub";
                    OpenSsl("x509", "-in", certificate, "-pubkey", "-noout", "-out", pem);
                    OpenSsl("pkey", "-pubin", "-in", pem, "-outform", "DER", "-out", output);
                    File.Delete(pem);
                }
                else
                {
                    OpenSsl("x509", "-in", certificate, "-outform", "DER", "-out", output);
                }

                return File.ReadAllBytes(output);
            }
            finally
            {
                File.Delete(output);
            }
        }

        private static void OpenSsl(params string[] arguments)
        {
            RunResult result = Run.Program("openssl", arguments);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException("openssl " + string.Join(" ", arguments) + ": " + result);
            }
        }
    }

    /// <summary>
    /// Python's http.server behind TLS on 127.0.0.1 and a free port, serving /.well-known/mta-sts.txt from a file the
    /// test rewrites (<see cref="Policy"/>) with the content type given, with Content-Length or in two chunks (RFC 9112 §7.1);
    /// each request's Host header is logged.
    /// </summary>
    public sealed class HttpsPolicyServer : IDisposable
    {
        private readonly Process _process;
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "emailcore-sts-" + Guid.NewGuid().ToString("N"));

        public HttpsPolicyServer(string certificate, string key, string contentType = "text/plain", bool chunked = false)
        {
            Directory.CreateDirectory(_dir);
            Policy = string.Empty;
            File.WriteAllText(Path.Combine(_dir, "server.py"), $$"""
                import http.server, ssl
                class Handler(http.server.BaseHTTPRequestHandler):
                    protocol_version = 'HTTP/1.1'
                    def do_GET(self):
                        with open('{{_dir}}/requests', 'a') as f:
                            f.write('%s %s\n' % (self.headers.get('Host'), self.path))
                        if self.path != '/.well-known/mta-sts.txt':
                            self.send_error(404)
                            return
                        with open('{{_dir}}/policy', 'rb') as f:
                            body = f.read()
                        self.send_response(200)
                        self.send_header('Content-Type', '{{contentType}}')
                        if {{(chunked ? "True" : "False")}}:
                            self.send_header('Transfer-Encoding', 'chunked')
                            self.end_headers()
                            half = len(body) // 2
                            for part in (body[:half], body[half:], b''):
                                self.wfile.write(b'%x;ext=1\r\n%s\r\n' % (len(part), part))
                        else:
                            self.send_header('Content-Length', str(len(body)))
                            self.end_headers()
                            self.wfile.write(body)
                    def log_message(self, *args):
                        pass
                server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain('{{certificate}}', '{{key}}')
                server.socket = context.wrap_socket(server.socket, server_side=True)
                print(server.server_address[1], flush=True)
                server.serve_forever()
                """);
            _process = Process.Start(new ProcessStartInfo(Python.Executable) { ArgumentList = { Path.Combine(_dir, "server.py") }, RedirectStandardOutput = true, RedirectStandardError = true })!;
            string? port = _process.StandardOutput.ReadLine();
            if (!int.TryParse(port, out int number))
            {
                throw new InvalidOperationException("the HTTPS policy server did not start: " + _process.StandardError.ReadToEnd());
            }

            Port = number;
        }

        public int Port { get; }

        public string Policy
        {
            set => File.WriteAllText(Path.Combine(_dir, "policy"), value);
        }

        /// <summary>"host path" per request.</summary>
        public string Requests => File.Exists(Path.Combine(_dir, "requests")) ? File.ReadAllText(Path.Combine(_dir, "requests")) : string.Empty;

        public void Dispose()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
            _process.Dispose();
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>
    /// Fault injection for the AD bit only: a UDP relay in front of a real DNS server (dnsmasq, which serves its own records
    /// without DNSSEC) that sets AD in the answers to questions of the types given and clears it in all others, standing for
    /// a validating resolver that did or did not vouch.
    /// </summary>
    public sealed class AdBitProxy : IDisposable
    {
        private readonly Process _process;
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "emailcore-ad-" + Guid.NewGuid().ToString("N"));

        public AdBitProxy(int upstreamPort, params int[] authenticTypes)
        {
            Directory.CreateDirectory(_dir);
            File.WriteAllText(Path.Combine(_dir, "proxy.py"), $$"""
                import socket
                listen = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                listen.bind(('127.0.0.1', 0))
                print(listen.getsockname()[1], flush=True)
                while True:
                    query, client = listen.recvfrom(4096)
                    upstream = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    upstream.settimeout(5)
                    upstream.sendto(query, ('127.0.0.1', {{upstreamPort}}))
                    try:
                        answer = bytearray(upstream.recv(65535))
                    except socket.timeout:
                        continue
                    finally:
                        upstream.close()
                    p = 12
                    while query[p] != 0:
                        p += 1 + query[p]
                    qtype = (query[p + 1] << 8) | query[p + 2]
                    answer[3] = (answer[3] | 0x20) if qtype in ({{string.Join(", ", authenticTypes)}},) else (answer[3] & ~0x20)
                    listen.sendto(bytes(answer), client)
                """);
            _process = Process.Start(new ProcessStartInfo(Python.Executable) { ArgumentList = { Path.Combine(_dir, "proxy.py") }, RedirectStandardOutput = true, RedirectStandardError = true })!;
            string? port = _process.StandardOutput.ReadLine();
            if (!int.TryParse(port, out int number))
            {
                throw new InvalidOperationException("the AD proxy did not start: " + _process.StandardError.ReadToEnd());
            }

            Endpoint = "127.0.0.1:" + number;
        }

        public string Endpoint { get; }

        public void Dispose()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
            _process.Dispose();
            Directory.Delete(_dir, recursive: true);
        }
    }
}

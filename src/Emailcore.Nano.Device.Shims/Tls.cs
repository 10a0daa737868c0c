// Shims: signatures from nanoframework/System.Net@713b02c9 (checked against that commit), nanoFramework.System.Net/
// Security/SslStream.cs, Security/NetworkSecurity.cs (SslProtocols, SslVerification),
// X509Certificates/X509Certificate.cs and X509Certificate2.cs.
namespace System.Net.Security
{
    [Flags]
    public enum SslProtocols
    {
        None = 0,
        Tls12 = 3072,
        Tls13 = 12288,
    }

    public enum SslVerification
    {
        NoVerification = 1,
        VerifyPeer = 2,
        CertificateRequired = 4,
        VerifyClientOnce = 8,
    }

    public class SslStream : Sockets.NetworkStream
    {
        public SslStream(Sockets.Socket socket) : base(socket) => throw null;

        public SslVerification SslVerification { get => throw null; set => throw null; }

        public void AuthenticateAsClient(string targetHost, SslProtocols enabledSslProtocols) => throw null;

        public void AuthenticateAsClient(string targetHost, System.Security.Cryptography.X509Certificates.X509Certificate clientCertificate, System.Security.Cryptography.X509Certificates.X509Certificate ca, SslProtocols enabledSslProtocols) => throw null;

        public void AuthenticateAsServer(System.Security.Cryptography.X509Certificates.X509Certificate serverCertificate, bool clientCertificateRequired, SslProtocols enabledSslProtocols) => throw null;
    }
}

namespace System.Security.Cryptography.X509Certificates
{
    public class X509Certificate
    {
        public X509Certificate(string certificate) => throw null;
    }

    public class X509Certificate2 : X509Certificate
    {
        public X509Certificate2(string rawData, string key, string password) : base(rawData) => throw null;
    }
}

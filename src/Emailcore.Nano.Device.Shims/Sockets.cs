// Shims: signatures from nanoframework/System.Net@713b02c9 (checked against that commit), nanoFramework.System.Net/
// Sockets/Socket.cs, SocketException.cs (project root), Sockets/SocketErrors.cs, Sockets/AddressFamily.cs,
// SocketType.cs, ProtocolType.cs, SocketFlags.cs, SelectMode.cs, SocketOptionLevel.cs, SocketOptionName.cs.
namespace System.Net.Sockets
{
    public enum AddressFamily
    {
        Unknown = -1,
        Unspecified = 0,
        InterNetwork = 2,
        InterNetworkV6 = 23,
    }

    public enum SocketType
    {
        Unknown = -1,
        Stream = 1,
        Dgram = 2,
    }

    public enum ProtocolType
    {
        Unknown = -1,
        Tcp = 6,
        Udp = 17,
    }

    [Flags]
    public enum SocketFlags
    {
        None = 0,
    }

    public enum SelectMode
    {
        SelectRead = 0,
        SelectWrite = 1,
        SelectError = 2,
    }

    public enum SocketOptionLevel
    {
        Socket = 0xffff,
        Tcp = 6,
    }

    public enum SocketOptionName
    {
        NoDelay = 1,
        ReuseAddress = 4,
        SendTimeout = 0x1005,
        ReceiveTimeout = 0x1006,
    }

    public enum SocketError
    {
        AddressAlreadyInUse = 10048,
        TimedOut = 10060,
        ConnectionRefused = 10061,
    }

    public class SocketException : Exception
    {
        public SocketException(SocketError errorCode) => throw null;

        public int ErrorCode => throw null;
    }

    public class Socket : IDisposable
    {
        public Socket(AddressFamily addressFamily, SocketType socketType, ProtocolType protocolType) => throw null;

        public EndPoint LocalEndPoint => throw null;

        public EndPoint RemoteEndPoint => throw null;

        public int ReceiveTimeout { get => throw null; set => throw null; }

        public int SendTimeout { get => throw null; set => throw null; }

        public void Connect(EndPoint remoteEP) => throw null;

        public void Bind(EndPoint localEP) => throw null;

        public void Listen(int backlog) => throw null;

        public Socket Accept() => throw null;

        public bool Poll(int microSeconds, SelectMode mode) => throw null;

        public int Send(byte[] buffer, int offset, int size, SocketFlags socketFlags) => throw null;

        public int Receive(byte[] buffer, int offset, int size, SocketFlags socketFlags) => throw null;

        public int SendTo(byte[] buffer, int offset, int size, SocketFlags socketFlags, EndPoint remoteEP) => throw null;

        public int ReceiveFrom(byte[] buffer, int offset, int size, SocketFlags socketFlags, ref EndPoint remoteEP) => throw null;

        public void SetSocketOption(SocketOptionLevel optionLevel, SocketOptionName optionName, bool optionValue) => throw null;

        public void SetSocketOption(SocketOptionLevel optionLevel, SocketOptionName optionName, int optionValue) => throw null;

        public void Close() => throw null;

        void IDisposable.Dispose() => throw null;
    }

    // nanoFramework.System.Net/Sockets/NetworkStream.cs
    public class NetworkStream : System.IO.Stream
    {
        public NetworkStream(Socket socket) => throw null;

        public override int Read(byte[] buffer, int offset, int count) => throw null;

        public override void Write(byte[] buffer, int offset, int count) => throw null;
    }
}

// nanoFramework.System.Net/EndPoint.cs, IPEndPoint.cs, IPAddress.cs
namespace System.Net
{
    public abstract class EndPoint
    {
    }

    public class IPEndPoint : EndPoint
    {
        public IPEndPoint(IPAddress address, int port) => throw null;

        public IPAddress Address => throw null;

        public int Port => throw null;
    }

    public class IPAddress
    {
        public static readonly IPAddress Any;

        public static readonly IPAddress IPv6Any;

        public IPAddress(byte[] address) => throw null;

        public Sockets.AddressFamily AddressFamily => throw null;

        public byte[] GetAddressBytes() => throw null;
    }
}

// Shims: signatures from nanoframework/System.Net@713b02c9, NetworkInformation/NetworkInterface.cs,
// NetworkInterfaceType.cs, NetworkHelper/NetworkHelper.cs (checked); nanoframework/System.Device.Wifi@282a9067 (checked),
// System.Device.Wifi/NetworkHelper/WifiNetworkHelper.cs; nanoframework/nanoFramework.Networking.Sntp@c4ca3fb6,
// nanoFramework.Networking.Sntp/Sntp.cs; CancellationToken from nanoframework/System.Threading.
namespace System.Net.NetworkInformation
{
    public enum NetworkInterfaceType
    {
        Unknown = 1,
        Ethernet = 6,
        Wireless80211 = 71,
        WirelessAP = 72,
    }

    public class NetworkInterface
    {
        public static NetworkInterface[] GetAllNetworkInterfaces() => throw null;

        public string IPv4Address => throw null;

        public string[] IPv4DnsAddresses => throw null;

        public NetworkInterfaceType NetworkInterfaceType => throw null;
    }
}

namespace System.Threading
{
    public struct CancellationToken
    {
    }

    public class CancellationTokenSource
    {
        public CancellationTokenSource(int millisecondsDelay) => throw null;

        public CancellationToken Token => throw null;
    }
}

namespace nanoFramework.Networking
{
    public static class NetworkHelper
    {
        public static bool SetupAndConnectNetwork(System.Threading.CancellationToken token = default, bool requiresDateTime = false) => throw null;
    }

    public static class WifiNetworkHelper
    {
        public static bool Reconnect(bool requiresDateTime = false, int wifiAdapterId = 0, System.Threading.CancellationToken token = default) => throw null;
    }

    public class Sntp
    {
        public static bool IsStarted => throw null;

        public static void Start() => throw null;
    }
}

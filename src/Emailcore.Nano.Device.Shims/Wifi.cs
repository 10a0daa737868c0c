// Shims: signatures from nanoframework/System.Device.Wifi@282a9067 (checked against that commit),
// System.Device.Wifi/WifiAdapter.cs, WifiConnectionResult.cs, WifiConnectionStatus.cs, WifiReconnectionKind.cs.
// The stored credentials (Wireless80211Configuration) and the interfaces are the real System.Net's.
namespace System.Device.Wifi
{
    public enum WifiConnectionStatus
    {
        AccessRevoked,
        InvalidCredential,
        NetworkNotAvailable,
        Success,
        Timeout,
        UnspecifiedFailure,
        UnsupportedAuthenticationProtocol,
    }

    public enum WifiReconnectionKind
    {
        Automatic,
        Manual,
    }

    public class WifiConnectionResult
    {
        public WifiConnectionStatus ConnectionStatus => throw null;
    }

    public sealed class WifiAdapter : IDisposable
    {
        public static WifiAdapter[] FindAllAdapters() => throw null;

        public WifiConnectionResult Connect(string ssid, WifiReconnectionKind reconnectionKind, string passwordCredential) => throw null;

        public void Disconnect() => throw null;

        public void Dispose() => throw null;
    }
}

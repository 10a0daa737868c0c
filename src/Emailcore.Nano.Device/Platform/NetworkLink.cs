using System;
using System.Device.Wifi;
using System.Net.NetworkInformation;
using System.Threading;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Device.Platform
{
    /// <summary>
    /// Brings the board's one network interface up and back up. A firmware image with an Ethernet interface
    /// (ESP32_WT32_ETH01 and the other Ethernet targets) uses it and never waits for Wi-Fi; any other uses Wi-Fi
    /// with the credentials stored on the board (tools/upload-network.sh), connecting actively: nanoFramework's
    /// WifiNetworkHelper.Reconnect only waits for an address and never reports why none came. Each attempt is one
    /// log line; failed attempts are retried after <see cref="NetworkRetry"/>'s pauses.
    /// </summary>
    public sealed class NetworkLink
    {
        private const int AddressWaitMilliseconds = 30000;
        private const int PollMilliseconds = 250;

        private readonly ILog _log;
        private int _attempts;

        public NetworkLink(ILog log)
        {
            _log = log;
        }

        /// <summary>The interface used: the Ethernet one when the image has it, else the Wi-Fi station; null when there is neither.</summary>
        public static NetworkInterface Interface()
        {
            NetworkInterface[] interfaces = NetworkInterface.GetAllNetworkInterfaces();
            NetworkInterface wifi = null;
            for (int i = 0; i < interfaces.Length; i++)
            {
                if (interfaces[i].NetworkInterfaceType == NetworkInterfaceType.Ethernet)
                {
                    return interfaces[i];
                }

                if (interfaces[i].NetworkInterfaceType == NetworkInterfaceType.Wireless80211 && wifi == null)
                {
                    wifi = interfaces[i];
                }
            }

            return wifi;
        }

        /// <summary>The interface's IPv4 address, or null while it has none ("0.0.0.0" is none).</summary>
        public static string Address(NetworkInterface networkInterface)
        {
            string address = networkInterface == null ? null : networkInterface.IPv4Address;
            return address == null || address.Length == 0 || address == "0.0.0.0" ? null : address;
        }

        public bool IsUp()
        {
            return Address(Interface()) != null;
        }

        /// <summary>Returns once the interface has an address, trying as long as it takes.</summary>
        public void Connect()
        {
            for (int failures = 1; !TryConnect(); failures++)
            {
                int pause = NetworkRetry.DelayMilliseconds(failures);
                _log.Write(LogLevel.Info, "network: next attempt in " + (pause / 1000).ToString() + " s");
                Thread.Sleep(pause);
            }
        }

        /// <summary>One attempt, logged in one line: true when the interface has an address.</summary>
        public bool TryConnect()
        {
            _attempts++;
            string attempt = " (attempt " + _attempts.ToString() + ")";
            NetworkInterface networkInterface = Interface();
            if (networkInterface == null)
            {
                _log.Write(LogLevel.Error, "network: this firmware has neither an Ethernet nor a Wi-Fi interface" + attempt);
                return false;
            }

            bool ethernet = networkInterface.NetworkInterfaceType == NetworkInterfaceType.Ethernet;
            string name = ethernet ? "Ethernet" : "Wi-Fi";
            if (!ethernet && Address(networkInterface) == null)
            {
                string problem = StartWifi(networkInterface);
                if (problem != null)
                {
                    _log.Write(LogLevel.Warning, "network: Wi-Fi: " + problem + attempt);
                    return false;
                }

                name = "Wi-Fi \"" + StoredWifi(networkInterface).Ssid + "\"";
            }

            string address = AwaitAddress();
            if (address == null)
            {
                _log.Write(LogLevel.Warning, "network: " + name + ": no address after " + (AddressWaitMilliseconds / 1000).ToString() + " s"
                    + (ethernet ? " (cable, switch, DHCP?)" : " (DHCP?)") + attempt);
                return false;
            }

            _log.Write(LogLevel.Info, "network: " + name + " up, " + address + attempt);
            return true;
        }

        private static string AwaitAddress()
        {
            for (int waited = 0; waited < AddressWaitMilliseconds; waited += PollMilliseconds)
            {
                string address = Address(Interface());
                if (address != null)
                {
                    return address;
                }

                Thread.Sleep(PollMilliseconds);
            }

            return null;
        }

        /// <summary>Connects the station with the stored credentials; the reason as text when that fails (an enum prints as a number on nanoFramework).</summary>
        private static string StartWifi(NetworkInterface networkInterface)
        {
            Wireless80211Configuration stored = StoredWifi(networkInterface);
            if (stored == null || stored.Ssid == null || stored.Ssid.Length == 0)
            {
                return "no credentials stored on the board (tools/upload-network.sh)";
            }

            WifiAdapter[] adapters = WifiAdapter.FindAllAdapters();
            if (adapters.Length == 0)
            {
                return "no Wi-Fi adapter in this firmware";
            }

            WifiConnectionStatus status;
            try
            {
                status = adapters[0].Connect(stored.Ssid, WifiReconnectionKind.Automatic, stored.Password).ConnectionStatus;
            }
            catch (Exception e)
            {
                // The native connect throws when the radio cannot start.
                return "connecting to \"" + stored.Ssid + "\" failed: " + e.Message;
            }

            return status == WifiConnectionStatus.Success ? null : "\"" + stored.Ssid + "\": " + Describe(status);
        }

        private static Wireless80211Configuration StoredWifi(NetworkInterface networkInterface)
        {
            Wireless80211Configuration[] stored = Wireless80211Configuration.GetAllWireless80211Configurations();
            uint id = networkInterface.SpecificConfigId;
            return id < stored.Length ? stored[id] : null;
        }

        private static string Describe(WifiConnectionStatus status)
        {
            switch (status)
            {
                case WifiConnectionStatus.AccessRevoked: return "access revoked";
                case WifiConnectionStatus.InvalidCredential: return "wrong password";
                case WifiConnectionStatus.NetworkNotAvailable: return "network not in range";
                case WifiConnectionStatus.Timeout: return "timed out";
                case WifiConnectionStatus.UnsupportedAuthenticationProtocol: return "unsupported authentication";
                default: return "failed";
            }
        }
    }
}

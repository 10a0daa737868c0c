using System.Net;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Host.Platform
{
    /// <summary>Between the core's <see cref="Endpoint"/> and .NET's <see cref="IPEndPoint"/>.</summary>
    public static class EndpointConversion
    {
        public static IPEndPoint ToIPEndPoint(this Endpoint endpoint)
        {
            var bytes = new byte[endpoint.AddressLength];
            endpoint.CopyAddressTo(bytes, 0);
            return new IPEndPoint(new IPAddress(bytes), endpoint.Port);
        }

        public static void Fill(this Endpoint into, IPEndPoint from)
        {
            IPAddress address = from.Address.IsIPv4MappedToIPv6 ? from.Address.MapToIPv4() : from.Address;
            byte[] bytes = address.GetAddressBytes();
            into.SetAddress(bytes, 0, bytes.Length);
            into.Port = from.Port;
        }

        public static Endpoint ToEndpoint(this IPEndPoint from)
        {
            var endpoint = new Endpoint();
            endpoint.Fill(from);
            return endpoint;
        }
    }
}

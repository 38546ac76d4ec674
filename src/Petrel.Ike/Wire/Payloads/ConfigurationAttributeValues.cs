using System.Net;
using System.Net.Sockets;

namespace Petrel.Ike.Wire;

/// <summary>
/// Typed values of the Configuration payload's attributes (RFC 7296 §3.15.1, table of lengths):
/// INTERNAL_IP4_ADDRESS / _NETMASK / _DNS / _NBNS are 0 or 4 octets, INTERNAL_IP6_ADDRESS is 0 or 17
/// (address and prefix length), INTERNAL_IP6_DNS 0 or 16. A zero-length attribute in a CFG_REQUEST asks
/// for any value; a non-empty one names the value the client would like (§3.15.1: the responder may ignore it).
/// </summary>
public static class ConfigurationAttributeValues
{
    /// <summary>The request for an address of <paramref name="family"/>: empty, or the address the client asks for again.</summary>
    public static ConfigurationAttribute AddressRequest(IPAddress? requested, AddressFamily family)
    {
        bool v4 = family == AddressFamily.InterNetwork;
        ushort type = v4 ? ConfigurationAttribute.InternalIp4Address : ConfigurationAttribute.InternalIp6Address;
        if (requested is null || IsAny(requested))
            return new ConfigurationAttribute(type, ReadOnlyMemory<byte>.Empty);
        return Address(requested, v4 ? 32 : 128);
    }

    /// <summary>An assigned address: 4 octets, or 16 octets and the prefix length (RFC 7296 §3.15.1 uses 64 in its example; strongSwan sends 128).</summary>
    public static ConfigurationAttribute Address(IPAddress address, int ipv6PrefixLength = 128)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return new ConfigurationAttribute(ConfigurationAttribute.InternalIp4Address, address.GetAddressBytes());
        var value = new byte[17];
        address.TryWriteBytes(value, out _);
        value[16] = (byte)ipv6PrefixLength;
        return new ConfigurationAttribute(ConfigurationAttribute.InternalIp6Address, value);
    }

    /// <summary>INTERNAL_IP4_NETMASK of a prefix length (/24 is 255.255.255.0).</summary>
    public static ConfigurationAttribute Netmask(int prefixLength)
    {
        uint mask = prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);
        return new ConfigurationAttribute(ConfigurationAttribute.InternalIp4Netmask,
            new byte[] { (byte)(mask >> 24), (byte)(mask >> 16), (byte)(mask >> 8), (byte)mask });
    }

    /// <summary>INTERNAL_IP4_DNS or INTERNAL_IP6_DNS by the server's family.</summary>
    public static ConfigurationAttribute Dns(IPAddress server) => new(
        server.AddressFamily == AddressFamily.InterNetwork ? ConfigurationAttribute.InternalIp4Dns : ConfigurationAttribute.InternalIp6Dns,
        server.GetAddressBytes());

    /// <summary>INTERNAL_IP4_NBNS (IPv4 only).</summary>
    public static ConfigurationAttribute Nbns(IPAddress server) => new(ConfigurationAttribute.InternalIp4Nbns, server.GetAddressBytes());

    /// <summary>An empty attribute: "please send me this" (e.g. INTERNAL_IP4_DNS in a CFG_REQUEST).</summary>
    public static ConfigurationAttribute Empty(ushort type) => new(type, ReadOnlyMemory<byte>.Empty);

    /// <summary>
    /// The address in an INTERNAL_IP4/6_ADDRESS, _DNS or _NBNS attribute. False for an empty attribute,
    /// a length the RFC does not allow for the type, or a type that carries no address.
    /// </summary>
    public static bool TryReadAddress(ConfigurationAttribute attribute, out IPAddress address, out int prefixLength)
    {
        address = IPAddress.None;
        prefixLength = 0;
        var v = attribute.Value.Span;
        switch (attribute.AttributeType)
        {
            case ConfigurationAttribute.InternalIp4Address or ConfigurationAttribute.InternalIp4Dns
                or ConfigurationAttribute.InternalIp4Nbns or ConfigurationAttribute.InternalIp4Dhcp:
                if (v.Length != 4) return false;
                address = new IPAddress(v);
                prefixLength = 32;
                return true;
            case ConfigurationAttribute.InternalIp6Address:
                if (v.Length != 17 || v[16] > 128) return false;
                address = new IPAddress(v[..16]);
                prefixLength = v[16];
                return true;
            case ConfigurationAttribute.InternalIp6Dns or ConfigurationAttribute.InternalIp6Dhcp:
                if (v.Length != 16) return false;
                address = new IPAddress(v);
                prefixLength = 128;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The address family an INTERNAL_IP4/6_ADDRESS attribute asks for, or null for other attributes.</summary>
    public static AddressFamily? RequestedFamily(ConfigurationAttribute attribute) => attribute.AttributeType switch
    {
        ConfigurationAttribute.InternalIp4Address => AddressFamily.InterNetwork,
        ConfigurationAttribute.InternalIp6Address => AddressFamily.InterNetworkV6,
        _ => null,
    };

    /// <summary>0.0.0.0 or ::, the "any address" a vips setting and an empty request stand for.</summary>
    public static bool IsAny(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
}

namespace Petrel.Ike.Wire;

/// <summary>
/// One attribute of a Configuration payload (RFC 7296 §3.15.1), e.g. INTERNAL_IP4_ADDRESS (1),
/// INTERNAL_IP4_DNS (3), INTERNAL_IP6_ADDRESS (8). Value kept raw.
/// </summary>
public readonly record struct ConfigurationAttribute(ushort AttributeType, ReadOnlyMemory<byte> Value)
{
    public const ushort InternalIp4Address = 1, InternalIp4Netmask = 2, InternalIp4Dns = 3, InternalIp4Nbns = 4,
        InternalIp4Dhcp = 6, ApplicationVersion = 7, InternalIp6Address = 8, InternalIp6Dns = 10,
        InternalIp6Dhcp = 12, InternalIp4Subnet = 13, SupportedAttributes = 14, InternalIp6Subnet = 15;
}

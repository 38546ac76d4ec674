namespace Petrel.DataPlane.Kernel;

public enum SaDirection : byte
{
    Inbound,
    Outbound,
}

public enum IpsecMode : byte
{
    Tunnel,
    Transport,
}

public enum IpsecProtocol : byte
{
    Esp = 50,
    Ah = 51,
}

public enum PolicyAction : byte
{
    Protect,
    Bypass,
    Discard,
}

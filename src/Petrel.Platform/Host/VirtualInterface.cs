namespace Petrel.Platform.Host;

/// <summary>A route-based VPN's virtual tunnel interface: a TUN device named Name carrying the policies with interface id Id.</summary>
public sealed record VirtualInterface(uint Id, string Name);

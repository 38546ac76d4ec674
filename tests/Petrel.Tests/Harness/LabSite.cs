namespace Petrel.Tests.Harness;

/// <summary>
/// One side of the lab: its namespace and addresses. The outer addresses sit on eth0 (the veth
/// to the other side); the protected subnet sits on lan0, a veth stub (the kernel has no dummy driver).
/// </summary>
public sealed record LabSite(
    string Name,
    string Namespace,
    string OuterV4,
    string OuterV6,
    string LanV4,
    string LanV6,
    string SubnetV4,
    string SubnetV6,
    string WorkDir)
{
    /// <summary>The IKE identity used in the generated configurations ("left"/"right").</summary>
    public string Id => Name;
}

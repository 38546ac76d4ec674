using Petrel.DataPlane.Kernel;

namespace Petrel.Ike.Tests.Ike;

/// <summary>Records what IKE installs and removes, so tests can compare both peers' SAs.</summary>
internal sealed class FakeKernel(uint firstSpi) : IIpsecKernel
{
    private uint _nextSpi = firstSpi;
    public Dictionary<(uint Spi, SaDirection Dir), SaSpec> Sas { get; } = [];
    public Dictionary<uint, PolicySpec> Policies { get; } = [];
    public List<string> Log { get; } = [];

    public uint AllocateSpi() => _nextSpi++;

    public void InstallSa(SaSpec sa)
    {
        Sas[(sa.Spi, sa.Direction)] = sa;
        Log.Add($"install {sa.Direction} {sa.Spi:x8}");
    }

    public void RemoveSa(uint spi, SaDirection direction)
    {
        Sas.Remove((spi, direction));
        Log.Add($"remove {direction} {spi:x8}");
    }

    public void InstallPolicy(PolicySpec policy)
    {
        Policies[policy.ReqId] = policy;
        Log.Add($"policy {policy.ReqId}");
    }

    public void RemovePolicy(uint reqId)
    {
        Policies.Remove(reqId);
        Log.Add($"unpolicy {reqId}");
    }

    public bool TryGetCounters(uint spi, SaDirection direction, out SaCounters counters)
    {
        counters = Sas.ContainsKey((spi, direction)) ? new SaCounters(1000, 10, 0, 0, 0) : default;
        return Sas.ContainsKey((spi, direction));
    }

    public event Action<AcquireEvent>? Acquire;

    public void RaiseAcquire(AcquireEvent e) => Acquire?.Invoke(e);

    public SaSpec Inbound => Single(SaDirection.Inbound);
    public SaSpec Outbound => Single(SaDirection.Outbound);

    private SaSpec Single(SaDirection d) => Sas.Values.Single(s => s.Direction == d);
}

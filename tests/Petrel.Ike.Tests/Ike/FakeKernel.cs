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

    /// <summary>Counters a test sets per SA (byte/packet lifetimes); SAs not listed report the Traffic-based defaults below.</summary>
    public Dictionary<(uint Spi, SaDirection Dir), SaCounters> Counters { get; } = [];

    public bool TryGetCounters(uint spi, SaDirection direction, out SaCounters counters)
    {
        ulong more = Traffic.GetValueOrDefault((spi, direction));
        counters = !Sas.ContainsKey((spi, direction)) ? default
            : Counters.TryGetValue((spi, direction), out var set) ? set : new SaCounters(1000 + more * 100, BasePackets + more, 0, 0, 0);
        return Sas.ContainsKey((spi, direction));
    }

    /// <summary>Packets every installed SA reports (10 by default; DPD tests start from 0 like a fresh SA).</summary>
    public ulong BasePackets { get; set; } = 10;

    /// <summary>Packets counted on an SA beyond BasePackets (tests make "ESP arrives" visible to DPD this way).</summary>
    public Dictionary<(uint Spi, SaDirection Dir), ulong> Traffic { get; } = [];

    /// <summary>Counts packets on every installed inbound SA, as if ESP arrived.</summary>
    public void ReceiveEsp(ulong packets = 1)
    {
        foreach (var key in Sas.Keys.Where(k => k.Dir == SaDirection.Inbound).ToList())
            Traffic[key] = Traffic.GetValueOrDefault(key) + packets;
    }

    public event Action<AcquireEvent>? Acquire;

    public void RaiseAcquire(AcquireEvent e) => Acquire?.Invoke(e);

    public event Action<SequenceExhaustionEvent>? SequenceExhaustion;

    public void RaiseSequenceExhaustion(SequenceExhaustionEvent e) => SequenceExhaustion?.Invoke(e);

    public SaSpec Inbound => Single(SaDirection.Inbound);
    public SaSpec Outbound => Single(SaDirection.Outbound);

    private SaSpec Single(SaDirection d) => Sas.Values.Single(s => s.Direction == d);
}

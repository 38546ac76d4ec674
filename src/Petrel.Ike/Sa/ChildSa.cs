using System.Security.Cryptography;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Policy;
using Petrel.Ike.Config;

namespace Petrel.Ike.Sa;

/// <summary>
/// One CHILD_SA: an inbound and an outbound IPsec SA with their policies (RFC 7296 §1.3).
/// Keeps copies of its keys only for Wireshark export; they are zeroed when the SA ends.
/// </summary>
internal sealed partial class ChildSa
{
    public required uint UniqueId { get; init; }
    public required uint ReqId { get; init; }
    public required ChildConfig Config { get; init; }
    public ChildSaState State { get; private set; } = ChildSaState.Created;

    /// <summary>
    /// The only way the state changes: an edge of <see cref="ChildSaStateGraph"/>, or nothing when already there.
    /// Anything else is a bug and throws <see cref="InvalidStateTransitionException"/> before changing anything.
    /// </summary>
    public void MoveTo(ChildSaState next)
    {
        var from = State;
        if (from == next) return;
        if (!ChildSaStateGraph.Allows(from, next))
            throw new InvalidStateTransitionException($"CHILD_SA {Config.Name}{{{UniqueId}}}", StateNames.Of(from), StateNames.Of(next));
        State = next;
        StateChanged?.Invoke(this, from);
    }

    /// <summary>The engine's event feed, told of every transition after it happened (old state).</summary>
    public Action<ChildSa, ChildSaState>? StateChanged { get; set; }

    /// <summary>The IKE SA it belongs to (moves with it on an IKE SA rekey), for the feed.</summary>
    public IkeSa? Owner { get; set; }

    /// <summary>Installed (and not replaced by a rekey since): its end is a "down".</summary>
    public bool WasUp { get; set; }
    public SecurityProtocol Protocol { get; set; } = SecurityProtocol.Esp;
    public IpsecMode Mode { get; set; } = IpsecMode.Tunnel;
    public Proposal? Proposal { get; set; }

    /// <summary>The key exchanges whose secrets entered KEYMAT (PFS group, then RFC 9370 additional ones); empty without PFS.</summary>
    public List<Transform> PerformedKeyExchanges { get; } = [];

    /// <summary>SPI we chose (peer sends to it) and SPI the peer chose (we send to it).</summary>
    public uint SpiIn { get; set; }
    public uint SpiOut { get; set; }

    public List<TrafficSelector> LocalTs { get; set; } = [];
    public List<TrafficSelector> RemoteTs { get; set; } = [];
    public bool Encap { get; set; }
    /// <summary>In the data plane; changed only through the engine, which counts installed SAs per reqid.</summary>
    public bool Installed { get; set; }
    public TimeSpan InstalledAt { get; set; }

    public byte[] EncKeyIn { get; set; } = [];
    public byte[] EncKeyOut { get; set; } = [];
    public byte[] IntegKeyIn { get; set; } = [];
    public byte[] IntegKeyOut { get; set; } = [];

    /// <summary>Outer addresses as installed, for key export (src → dst of each direction).</summary>
    public System.Net.IPEndPoint? OuterLocal { get; set; }
    public System.Net.IPEndPoint? OuterRemote { get; set; }

    public void ZeroKeys()
    {
        CryptographicOperations.ZeroMemory(EncKeyIn);
        CryptographicOperations.ZeroMemory(EncKeyOut);
        CryptographicOperations.ZeroMemory(IntegKeyIn);
        CryptographicOperations.ZeroMemory(IntegKeyOut);
    }

    /// <summary>Zeroes the keys and keeps none (once the data plane holds them and nothing will export them).</summary>
    public void ForgetKeys()
    {
        ZeroKeys();
        EncKeyIn = EncKeyOut = IntegKeyIn = IntegKeyOut = [];
    }
}

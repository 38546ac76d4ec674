namespace Petrel.Ike.Engine;

/// <summary>A snapshot of one IKE SA for list-sas (SPEC.md §2 fields).</summary>
public sealed record IkeSaInfo
{
    public required string Name { get; init; }
    public required uint UniqueId { get; init; }
    public int Version { get; init; } = 2;
    /// <summary>CREATED, CONNECTING, ESTABLISHED, PASSIVE, REKEYING, REKEYED, DELETING, DESTROYING.</summary>
    public required string State { get; init; }
    public required string LocalHost { get; init; }
    public required string RemoteHost { get; init; }
    public int LocalPort { get; init; }
    public int RemotePort { get; init; }
    public string LocalId { get; init; } = "";
    public string RemoteId { get; init; } = "";
    public bool Initiator { get; init; }
    public string InitiatorSpi { get; init; } = "";
    public string ResponderSpi { get; init; } = "";
    public string Encr { get; init; } = "";
    public string Integ { get; init; } = "";
    public string Prf { get; init; } = "";
    public string Dh { get; init; } = "";
    /// <summary>Every key exchange whose secret keyed this SA, in order ("CURVE_25519", "KE1_ML_KEM_768"): RFC 9370 additional ones included.</summary>
    public IReadOnlyList<string> KeyExchanges { get; init; } = [];
    public bool NatLocal { get; init; }
    public bool NatRemote { get; init; }
    public long EstablishedSeconds { get; init; }
    /// <summary>Seconds until rekey, reauthentication and hard expiry; null when not scheduled.</summary>
    public long? RekeySeconds { get; init; }
    public long? ReauthSeconds { get; init; }
    public long? ExpireSeconds { get; init; }
    public IReadOnlyList<ChildSaInfo> Children { get; init; } = [];

    /// <summary>Virtual IPs (RFC 7296 §3.15): ours as assigned by the peer, and those we assigned to the peer.</summary>
    public IReadOnlyList<string> LocalVips { get; init; } = [];
    public IReadOnlyList<string> RemoteVips { get; init; } = [];

    /// <summary>The EAP identity of the peer (we are the EAP server) or ours (we are the client); empty without EAP.</summary>
    public string EapIdentity { get; init; } = "";

    /// <summary>DNS servers the peer assigned to us (CFG_REPLY), for updown's PLUTO_DNS4_N / PLUTO_DNS6_N.</summary>
    public IReadOnlyList<string> Dns { get; init; } = [];

    /// <summary>IKEv1: the XAuth user once XAuth succeeded, the peer's (we are the XAuth server) or ours (client); empty otherwise.</summary>
    public string XAuthIdentity { get; init; } = "";

    /// <summary>True when <see cref="XAuthIdentity"/> is ours (we are the XAuth client).</summary>
    public bool XAuthLocal { get; init; }

    /// <summary>Each authentication round done (local-N / remote-N, RFC 4739): method, identity and EAP identity.</summary>
    public IReadOnlyList<AuthRoundInfo> AuthRounds { get; init; } = [];
}

/// <summary>A snapshot of one CHILD_SA for list-sas.</summary>
public sealed record ChildSaInfo
{
    public required string Name { get; init; }
    public required uint UniqueId { get; init; }
    public uint ReqId { get; init; }
    /// <summary>CREATED, ROUTED, INSTALLING, INSTALLED, REKEYING, REKEYED, DELETING, DESTROYING.</summary>
    public required string State { get; init; }
    public string Mode { get; init; } = "TUNNEL";
    public string Protocol { get; init; } = "ESP";
    public bool Encap { get; init; }
    public string SpiIn { get; init; } = "";
    public string SpiOut { get; init; } = "";
    public string Encr { get; init; } = "";
    public string Integ { get; init; } = "";
    public string Dh { get; init; } = "";
    /// <summary>Every key exchange whose secret entered this CHILD_SA's KEYMAT (PFS group first, then RFC 9370 additional ones); empty without PFS.</summary>
    public IReadOnlyList<string> KeyExchanges { get; init; } = [];
    public IReadOnlyList<string> LocalTs { get; init; } = [];
    public IReadOnlyList<string> RemoteTs { get; init; } = [];
    public ulong BytesIn { get; init; }
    public ulong BytesOut { get; init; }
    public ulong PacketsIn { get; init; }
    public ulong PacketsOut { get; init; }
    public long InstallSeconds { get; init; }
    /// <summary>Seconds until rekey and hard expiry; null when not scheduled.</summary>
    public long? RekeySeconds { get; init; }
    public long? ExpireSeconds { get; init; }
}

using Petrel.Crypto.Proposals;

namespace Petrel.Ike.Config;

/// <summary>
/// One connection as swanctl.conf's connections.NAME section describes it, already validated
/// (the daemon's config loader builds it and reports file/line errors).
/// Time spans follow strongSwan's defaults.
/// </summary>
public sealed class ConnectionConfig
{
    public required string Name { get; init; }

    /// <summary>1, 2, or 0 for "any" (strongSwan's default: initiate with IKEv2, accept both).</summary>
    public int Version { get; init; } = 2;

    /// <summary>Addresses, CIDR subnets, ranges or "%any". Empty means %any.</summary>
    public IReadOnlyList<string> LocalAddrs { get; init; } = [];
    public IReadOnlyList<string> RemoteAddrs { get; init; } = [];
    public int LocalPort { get; init; } = 500;
    public int RemotePort { get; init; } = 500;

    /// <summary>IKE proposals (already parsed; "default" expanded).</summary>
    public required IReadOnlyList<Proposal> Proposals { get; init; }

    /// <summary>Force UDP encapsulation of ESP (fake NAT detection), strongSwan's encap = yes.</summary>
    public bool Encap { get; init; }

    /// <summary>SPEC.md: a liveness check after 30 s without inbound traffic (0 turns it off).</summary>
    public TimeSpan DpdDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>SPEC.md: 150 s; IKEv1 only (IKEv2 declares the peer dead when retransmissions run out).</summary>
    public TimeSpan DpdTimeout { get; init; } = TimeSpan.FromSeconds(150);
    /// <summary>SPEC.md: IKE SA lifetime 3 h by default (swanctl's own default is 4 h).</summary>
    public TimeSpan RekeyTime { get; init; } = TimeSpan.FromHours(3);
    public TimeSpan ReauthTime { get; init; } = TimeSpan.Zero;
    public TimeSpan? OverTime { get; init; }
    public TimeSpan? RandTime { get; init; }
    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(20);
    public bool Aggressive { get; init; }

    /// <summary>send_certreq: ask the peer for its certificate with CERTREQ payloads (strongSwan's default yes).</summary>
    public bool SendCertreq { get; init; } = true;

    /// <summary>"yes", "accept", "force", "no".</summary>
    public string Fragmentation { get; init; } = "yes";
    /// <summary>MOBIKE (RFC 4555) is not built: false whatever strongSwan would default to; the loader refuses mobike = yes.</summary>
    public bool Mobike { get; init; }

    /// <summary>"no", "never", "replace", "keep".</summary>
    public string Unique { get; init; } = "no";

    /// <summary>
    /// pools: as responder, the pools (by name, in order) whose addresses answer a peer's CFG_REQUEST
    /// (RFC 7296 §3.15); empty means no virtual IPs are handed out.
    /// </summary>
    public IReadOnlyList<string> Pools { get; init; } = [];

    /// <summary>
    /// vips: as initiator, the virtual IPs to request in a CFG_REQUEST, one per family; 0.0.0.0 / :: ask for any
    /// address of the family. The address assigned becomes this side's inner address (TUN address, local TS).
    /// </summary>
    public IReadOnlyList<System.Net.IPAddress> Vips { get; init; } = [];

    private AuthConfig _local = null!, _remote = null!;
    private IReadOnlyList<AuthConfig>? _localRounds, _remoteRounds;

    /// <summary>The first local authentication round (local { } or the first local-N { }).</summary>
    public required AuthConfig Local { get => _local; init => _local = value; }

    /// <summary>The first remote authentication round.</summary>
    public required AuthConfig Remote { get => _remote; init => _remote = value; }

    /// <summary>
    /// Every local authentication round in order (swanctl.conf's local-1, local-2 …, RFC 4739): the first is
    /// <see cref="Local"/>. As initiator Petrel authenticates once per round; a responder authenticates once (RFC 4739 §3).
    /// </summary>
    public IReadOnlyList<AuthConfig> LocalRounds { get => _localRounds ?? [_local]; init => _localRounds = value; }

    /// <summary>Every remote authentication round in order (remote-1, remote-2 …): as responder each must pass.</summary>
    public IReadOnlyList<AuthConfig> RemoteRounds { get => _remoteRounds ?? [_remote]; init => _remoteRounds = value; }

    /// <summary>
    /// This connection as seen by one authentication round: the same connection with <see cref="Local"/> and
    /// <see cref="Remote"/> replaced by those of the round, for the credential lookups that read them.
    /// </summary>
    public ConnectionConfig ForRound(AuthConfig local, AuthConfig remote)
    {
        if (ReferenceEquals(local, _local) && ReferenceEquals(remote, _remote)) return this;
        var view = (ConnectionConfig)MemberwiseClone();
        view._local = local;
        view._remote = remote;
        return view;
    }

    /// <summary>IKEv1: a second local round with auth = xauth (local-N { }): we are the XAuth client. Null: no XAuth.</summary>
    public AuthConfig? XAuthLocal { get; init; }

    /// <summary>IKEv1: a second remote round with auth = xauth / xauth-generic (remote-N { }): we are the XAuth server.</summary>
    public AuthConfig? XAuthRemote { get; init; }

    /// <summary>pull: IKEv1 Mode Config asks for the virtual IP (yes, strongSwan's default) or the server pushes it (no).</summary>
    public bool ModeConfigPull { get; init; } = true;
    public IReadOnlyList<ChildConfig> Children { get; init; } = [];

    /// <summary>Where this came from, for error messages ("/etc/swanctl/swanctl.conf:12").</summary>
    public string? Source { get; init; }
}

/// <summary>A local or remote authentication round (local { } / remote { }).</summary>
public sealed class AuthConfig
{
    /// <summary>"psk", "pubkey", "eap-…", "xauth…".</summary>
    public string Auth { get; init; } = "pubkey";

    /// <summary>Identity as written (e.g. "left", "@gw.example.org", "198.18.0.1", "CN=gw"), null for the default.</summary>
    public string? Id { get; init; }

    public IReadOnlyList<string> Certs { get; init; } = [];
    public IReadOnlyList<string> CaCerts { get; init; } = [];

    /// <summary>remote.revocation: strict, ifuri or relaxed (the default).</summary>
    public RevocationPolicy Revocation { get; init; } = RevocationPolicy.Relaxed;

    /// <summary>
    /// eap_id: the EAP identity (local: ours, default our IKE identity; remote: the one the client must use,
    /// "%any" asks the client with EAP-Identity; default its IKE identity). Null when not set.
    /// </summary>
    public string? EapId { get; init; }

    /// <summary>The section it came from ("local", "remote-2"), for messages and listings.</summary>
    public string Section { get; init; } = "";

    /// <summary>xauth_id: the XAuth user name (local: the one we send, default our IKE identity; remote: the only one accepted).</summary>
    public string? XAuthId { get; init; }

    /// <summary>True for auth = eap and eap-….</summary>
    public bool IsEap => Auth == "eap" || Auth.StartsWith("eap-", StringComparison.Ordinal);
}

/// <summary>children.NAME.</summary>
public sealed class ChildConfig
{
    public required string Name { get; init; }

    /// <summary>Traffic selectors as written; "dynamic" means the IKE address (RFC 7296 §2.9).</summary>
    public IReadOnlyList<string> LocalTs { get; init; } = ["dynamic"];
    public IReadOnlyList<string> RemoteTs { get; init; } = ["dynamic"];

    /// <summary>ESP proposals (already parsed). Empty with AhProposals set means AH.</summary>
    public IReadOnlyList<Proposal> EspProposals { get; init; } = [];
    public IReadOnlyList<Proposal> AhProposals { get; init; } = [];

    /// <summary>"tunnel", "transport", "pass", "drop".</summary>
    public string Mode { get; init; } = "tunnel";

    /// <summary>"none", "trap", "start".</summary>
    public string StartAction { get; init; } = "none";

    /// <summary>"clear", "trap", "restart", "none".</summary>
    public string DpdAction { get; init; } = "clear";

    /// <summary>"none", "trap", "start".</summary>
    public string CloseAction { get; init; } = "none";

    public TimeSpan RekeyTime { get; init; } = TimeSpan.FromHours(1);
    public TimeSpan? LifeTime { get; init; }
    public TimeSpan? RandTime { get; init; }
    public ulong RekeyBytes { get; init; }
    public ulong LifeBytes { get; init; }
    public ulong RekeyPackets { get; init; }
    public ulong LifePackets { get; init; }

    /// <summary>rekey_bytes, life_bytes, rekey_packets or life_packets is set: the SA's counters must be watched.</summary>
    public bool HasTrafficLimits => (RekeyBytes | LifeBytes | RekeyPackets | LifePackets) != 0;

    public int ReplayWindow { get; init; } = 128;

    /// <summary>RFC 4303 §2.7 TFC padding of outbound packets (tfc_padding): 0 off, bytes, or <see cref="TfcPaddingMtu"/>.</summary>
    public int TfcPadding { get; init; }

    public const int TfcPaddingMtu = -1;

    /// <summary>strongSwan's if_id_in / if_id_out: non-zero makes the CHILD_SA route-based (its virtual tunnel interface, no routes).</summary>
    public uint InterfaceIdIn { get; init; }
    public uint InterfaceIdOut { get; init; }

    public bool Ipcomp { get; init; }

    /// <summary>
    /// updown: a command run through /bin/sh when a CHILD_SA comes up or goes down, once per local × remote
    /// traffic selector pair, with strongSwan's PLUTO_* environment (the daemon's Daemon/Updown); null for none.
    /// </summary>
    public string? Updown { get; init; }

    /// <summary>hostaccess: the updown script also opens access to the gateway itself (PLUTO_HOST_ACCESS=1).</summary>
    public bool HostAccess { get; init; }
}

/// <summary>A shared secret from secrets { ike-NAME { id…, secret } }.</summary>
public sealed class SharedSecret
{
    /// <summary>Identities the secret is for (id, id-1, id-2 …); empty means any.</summary>
    public IReadOnlyList<string> Ids { get; init; } = [];

    /// <summary>The decoded secret. Never logged.</summary>
    public required byte[] Secret { get; init; }

    /// <summary>"ike", "eap", "xauth", "ntlm" (an NT hash for EAP-MSCHAPv2); or "private", "rsa", "ecdsa", "pkcs8" for a private key's passphrase.</summary>
    public string Kind { get; init; } = "ike";

    /// <summary>For a private key's passphrase: the key file it opens (swanctl's secrets.private-NAME.file).</summary>
    public string? File { get; init; }
    public override string ToString() => $"{Kind} secret for [{string.Join(", ", Ids)}]";
}

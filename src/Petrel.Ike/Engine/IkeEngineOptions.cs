using System.Net;

namespace Petrel.Ike.Engine;

/// <summary>Daemon-wide IKE settings (from the petrel { } section).</summary>
public sealed class IkeEngineOptions
{
    /// <summary>Retransmission: RFC 7296 §2.1 exponential back-off, strongSwan defaults (4 s × 1.8^n, 5 tries).</summary>
    public TimeSpan RetransmitTimeout { get; init; } = TimeSpan.FromSeconds(4);
    public double RetransmitBase { get; init; } = 1.8;
    public int RetransmitTries { get; init; } = 5;

    /// <summary>
    /// RFC 7383: the largest IP datagram of an IKE message we send before fragmenting it (strongSwan's
    /// charon.fragment_size, 1280 by default), when the peer supports fragmentation.
    /// </summary>
    public int FragmentSize { get; init; } = 1280;

    /// <summary>
    /// How long the inbound SA of a CHILD_SA replaced by a rekey stays installed after its delete, for packets the
    /// peer sent before switching (strongSwan's charon.delete_rekeyed_delay, 5 s). Zero removes it at once.
    /// </summary>
    public TimeSpan DeleteRekeyedDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// petrel.export_keys: the engine keeps a copy of each CHILD_SA's keys for export-keys. Off (the default), it
    /// wipes its copies once the data plane holds the SA, so the only keys left are the ones that protect traffic.
    /// </summary>
    public bool ExportKeys { get; init; }

    /// <summary>Half-open IKE SAs above which a responder asks for a COOKIE.</summary>
    public int CookieThreshold { get; init; } = 30;

    /// <summary>
    /// strongSwan's charon.block_threshold: IKE_SA_INIT requests from an address that already has this many half-open
    /// IKE SAs are dropped (after the COOKIE check, so a spoofed source never reaches it). 0 = no limit.
    /// </summary>
    public int BlockThreshold { get; init; } = 5;

    /// <summary>strongSwan's charon.max_packet: larger IKE datagrams are dropped unread (fragments reassemble to at most this, too).</summary>
    public int MaxPacket { get; init; } = 10000;

    /// <summary>strongSwan's charon.init_limit_half_open: IKE_SA_INIT requests are dropped while this many IKE SAs are half-open. 0 = no limit.</summary>
    public int InitLimitHalfOpen { get; init; }

    public int IkePort { get; init; } = 500;
    public int NatTPort { get; init; } = 4500;

    /// <summary>A responder drops an IKE SA whose IKE_AUTH has not arrived after this long (strongSwan's half_open_timeout).</summary>
    public TimeSpan HalfOpenTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// RFC 7427 signature authentication (strongSwan's charon.signature_authentication): announce
    /// SIGNATURE_HASH_ALGORITHMS and sign with method 14 when the peer does. Off: the classic RSA/ECDSA methods only.
    /// </summary>
    public bool SignatureAuthentication { get; init; } = true;

    /// <summary>
    /// Source address to use towards a peer when the connection's local_addrs names none (%any): the
    /// daemon answers from the routing table. Null: such connections cannot be initiated.
    /// </summary>
    public Func<IPAddress, IPAddress?>? LocalAddressFor { get; init; }
}

using Microsoft.Extensions.Logging;

namespace Petrel.Config;

/// <summary>Petrel's own settings: the top-level petrel { } section of swanctl.conf.</summary>
public sealed record DaemonSettings
{
    public const string DefaultSocketPath = "/run/petrel/petrel.sock";

    /// <summary>Control socket path (petrel.socket); the --socket option overrides it.</summary>
    public string SocketPath { get; init; } = DefaultSocketPath;

    /// <summary>strongSwan's vici socket (petrel.vici), for swanctl and other vici clients; null (the default) for none.</summary>
    public string? ViciPath { get; init; }

    /// <summary>UDP port for IKE (petrel.ike_port), 500 by default.</summary>
    public int IkePort { get; init; } = 500;

    /// <summary>UDP port for NAT-T, IKE and ESP-in-UDP (petrel.natt_port), 4500 by default (RFC 3948).</summary>
    public int NatTPort { get; init; } = 4500;

    /// <summary>The shared TUN device for policy-based connections (petrel.tun_name).</summary>
    public string TunName { get; init; } = "petrel0";

    /// <summary>MTU of the shared TUN device (petrel.tun_mtu), 1400 by default like strongSwan's kernel-libipsec; 0 for "auto".</summary>
    public int TunMtu { get; init; } = 1400;

    public const int AutoTunMtu = 0;

    /// <summary>
    /// MTU of the outer path to the peers (petrel.path_mtu), 1500 by default: inner packets larger
    /// than it allows after the SA's overhead get ICMP fragmentation-needed / packet-too-big.
    /// </summary>
    public int PathMtu { get; init; } = 1500;

    /// <summary>Rewrite the MSS of TCP SYNs crossing the tunnel to fit the SA (petrel.mss_clamp).</summary>
    public bool MssClamp { get; init; }

    /// <summary>Route-based VPN interfaces derived from the children's if_id_in / if_id_out (vti00, vti01, …).</summary>
    public VirtualInterfaceSet VirtualInterfaces { get; init; } = VirtualInterfaceSet.Empty;

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>petrel.dashboard = ADDRESS:PORT: the web dashboard and /metrics; null (the default) = off.</summary>
    public System.Net.IPEndPoint? Dashboard { get; init; }

    /// <summary>
    /// petrel.dashboard_token: the secret that the dashboard's buttons (up, down, rekey) and, on a non-loopback
    /// address, every page need. Never logged; kept out of list-conns. Internal so that the record's
    /// generated ToString, which prints public members only, cannot print it.
    /// </summary>
    internal string? DashboardToken { get; init; }

    /// <summary>petrel.log_format: "text" (one line per record, the default) or "json" (one JSON object per line).</summary>
    public string LogFormat { get; init; } = "text";

    /// <summary>IKE retransmission (petrel.retransmit_timeout/_base/_tries, strongSwan's charon.retransmit_*): 4 s × 1.8^n, 5 retransmits.</summary>
    public TimeSpan RetransmitTimeout { get; init; } = TimeSpan.FromSeconds(4);
    public double RetransmitBase { get; init; } = 1.8;
    public int RetransmitTries { get; init; } = 5;

    /// <summary>RFC 7383: largest IP datagram of a sent IKE message before it is fragmented (petrel.fragment_size, strongSwan's charon.fragment_size).</summary>
    public int FragmentSize { get; init; } = 1280;

    /// <summary>Timeout of one CRL fetch from a distribution point (petrel.fetch_timeout), 10 s by default.</summary>
    public TimeSpan FetchTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Half-open IKE SAs above which the responder asks for a COOKIE (petrel.cookie_threshold, strongSwan's charon.cookie_threshold).</summary>
    public int CookieThreshold { get; init; } = 30;

    /// <summary>Half-open IKE SAs per peer address above which its IKE_SA_INIT requests are dropped (petrel.block_threshold, charon.block_threshold; 0 = none).</summary>
    public int BlockThreshold { get; init; } = 5;

    /// <summary>IKE datagrams larger than this are dropped unread (petrel.max_packet, charon.max_packet).</summary>
    public int MaxPacket { get; init; } = 10000;

    /// <summary>Half-open IKE SAs in total above which IKE_SA_INIT requests are dropped (petrel.init_limit_half_open, charon.init_limit_half_open; 0 = none).</summary>
    public int InitLimitHalfOpen { get; init; }

    /// <summary>
    /// Threads that seal the segments of one TCP super-segment and open the datagrams of one UDP GRO
    /// receive together (petrel.packet_threads, 1 to 64 or "auto"); <see cref="AutoPacketThreads"/> = one per processor.
    /// 1 by default: on the 2-CPU benchmark machine, shared with iperf3 and the peer, more threads did not pay (bench/RESULTS.md).
    /// </summary>
    public int PacketThreads { get; init; } = 1;

    /// <summary>petrel.export_keys: whether the control socket's export-keys hands out IKE and ESP keys (off by default).</summary>
    public bool ExportKeys { get; init; }

    /// <summary>petrel.socket_group: a group whose members may use the control socket's read-only commands.</summary>
    public string? SocketGroup { get; init; }

    /// <summary>
    /// petrel.user: the user the daemon becomes once its sockets, TUN devices and keys are open (strongSwan's
    /// charon.user); only the IKE thread keeps CAP_NET_ADMIN and CAP_NET_RAW. Null: stay as started.
    /// </summary>
    public string? User { get; init; }

    public const int AutoPacketThreads = 0;

    /// <summary>petrel.eap-radius: RADIUS servers for auth = eap-radius and accounting (strongSwan's eap-radius plugin); null: none.</summary>
    public Petrel.Ike.Radius.RadiusSettings? Radius { get; init; }

    /// <summary>
    /// Nice value of the data plane's packet threads (petrel.packet_nice, -20 to 19; 0 = unchanged, the
    /// default). Negative values give the tunnel the larger CPU share when applications on the same host
    /// offer more than it carries, as kernel IPsec gets by running in softirq (needs CAP_SYS_NICE).
    /// </summary>
    public int PacketNice { get; init; }
}

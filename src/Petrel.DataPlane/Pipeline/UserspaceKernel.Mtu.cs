using Microsoft.Extensions.Logging;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Mtu;
using Petrel.DataPlane.Packets;

namespace Petrel.DataPlane.Pipeline;

/// <summary>
/// Path MTU, TCP MSS clamping and TFC padding (RFC 4301 §8, RFC 4303 §2.7) around the ESP/AH
/// processing of <see cref="UserspaceKernel"/>.
/// <para>
/// An inner packet too big for its SA's path gets ICMP Fragmentation Needed / Packet Too Big when
/// it may not be fragmented (IPv4 DF, or IPv6 above 1280 bytes); without DF it is protected whole
/// and the outer packet is fragmented by the host's IP layer, which is what the Linux kernel does
/// for strongSwan's tunnel-mode SAs (post-encryption fragmentation, RFC 4301 §8.1 leaves the
/// choice to the implementation) and keeps the receiver's SA processing unchanged.
/// </para>
/// </summary>
public sealed partial class UserspaceKernel
{
    /// <summary>RFC 894: Ethernet; the outer path MTU every SA is fitted to.</summary>
    public const int DefaultPathMtu = 1500;

    private IcmpRateLimiter _icmpLimiter = new();
    private long _icmpSent;

    /// <summary>MTU of the outer path (UDP/ESP packets to the peer). Settable at any time.</summary>
    public int PathMtu { get; set; } = DefaultPathMtu;

    /// <summary>Rewrite the MSS option of TCP SYNs in both directions to fit the SA (optional, off by default).</summary>
    public bool ClampMss { get; set; }

    /// <summary>ICMP too-big errors written back into the tunnel device (rate-limited).</summary>
    public long IcmpErrorsSent => Interlocked.Read(ref _icmpSent);

    /// <summary>Replaces the ICMP error limiter (tests use a tighter one).</summary>
    public IcmpRateLimiter IcmpLimiter { get => _icmpLimiter; set => _icmpLimiter = value ?? throw new ArgumentNullException(nameof(value)); }

    private readonly Dictionary<uint, int> _outboundMaxInner = [];

    /// <summary>How many outbound SAs have each largest-inner-packet size, so the smallest is known without a walk over all SAs.</summary>
    private readonly SortedDictionary<int, int> _maxInnerCounts = [];
    private int _suggestedMtu;

    /// <summary>
    /// The largest inner packet every installed outbound SA carries unfragmented (the smallest of
    /// their limits), or 0 without SAs: what the shared tunnel device's MTU should be so that the
    /// host never needs PMTUD for the tunnel (strongSwan's kernel-libipsec uses a fixed 1400).
    /// </summary>
    public int SuggestedTunnelMtu => Volatile.Read(ref _suggestedMtu);

    /// <summary>Raised on the control thread when <see cref="SuggestedTunnelMtu"/> changes (to a non-zero value).</summary>
    public event Action<int>? TunnelMtuChanged;

    private void OutboundSaChanged(EspSa sa, bool installed)
    {
        int suggested;
        lock (_outboundMaxInner)
        {
            if (_outboundMaxInner.Remove(sa.Spi, out int previous))
                CountMaxInner(previous, -1);
            if (installed)
            {
                int max = MaxInner(sa);
                _outboundMaxInner[sa.Spi] = max;
                CountMaxInner(max, +1);
            }
            suggested = 0;
            foreach (var (v, _) in _maxInnerCounts)
            {
                suggested = v;
                break;
            }
        }
        if (Interlocked.Exchange(ref _suggestedMtu, suggested) == suggested || suggested == 0)
            return;
        try
        {
            TunnelMtuChanged?.Invoke(suggested);
        }
        catch (Exception e)
        {
            _log.LogError(e, "tunnel MTU change to {Mtu} failed", suggested);
        }
    }

    private void CountMaxInner(int size, int delta)
    {
        int n = _maxInnerCounts.GetValueOrDefault(size) + delta;
        if (n > 0) _maxInnerCounts[size] = n;
        else _maxInnerCounts.Remove(size);
    }

    /// <summary>The largest inner packet the outbound SA of reqId carries unfragmented, or null without one.</summary>
    public int? MaxInnerLength(uint reqId)
    {
        var sa = _sad.FindOutbound(reqId);
        return sa is null ? null : MaxInner(sa);
    }

    private int MaxInner(EspSa sa) => SaOverhead.MaxInnerLength(PathMtu,
        sa.Peer.Remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6, sa.Peer.UdpEncapsulation,
        sa.Protocol, sa.Mode, sa.IvLength, sa.IcvLength, sa.Alignment);

    /// <summary>MSS clamp, the too-big check and TFC padding for an outbound packet about to be sealed.</summary>
    private DropReason PrepareOutbound(EspSa sa, Span<byte> buffer, int offset, ref int length, uint interfaceId)
    {
        var packet = buffer.Slice(offset, length);
        int version = IpPacketReader.Version(packet);
        int maxInner = MaxInner(sa);
        if (ClampMss)
            TcpMssClamp.Clamp(packet, TcpMssClamp.MssFor(maxInner, version));

        // RFC 8201 §4 / RFC 8200 §5: IPv6 links carry 1280 bytes, so below that the outer packet is
        // fragmented instead and 1280 is the least a Packet Too Big reports.
        int limit = version == 6 ? Math.Max(maxInner, IcmpTooBigBuilder.MinIpv6Mtu) : maxInner;
        if (length > limit && IpDatagram.DontFragment(packet))
        {
            SendTooBig(packet, limit, interfaceId);
            return DropReason.FragmentationNeeded;
        }

        int tfc = sa.Spec.TfcPadding;
        if (tfc != 0 && sa.Protocol == IpsecProtocol.Esp && sa.Mode == IpsecMode.Tunnel)
        {
            // RFC 4303 §2.7: padding after the inner packet, inside the encryption; the receiver
            // finds the end from the inner IP header's length.
            int target = tfc == SaSpec.TfcPaddingMtu ? maxInner : Math.Min(tfc, maxInner);
            int pad = Math.Min(target - length, buffer.Length - offset - length - Tailroom);
            if (pad > 0)
            {
                buffer.Slice(offset + length, pad).Clear();
                length += pad;
            }
        }
        return DropReason.None;
    }

    /// <summary>Strips TFC padding (anything after the inner IP length) and clamps the MSS of an inbound SYN.</summary>
    private Span<byte> FinishInbound(EspSa sa, Span<byte> inner)
    {
        int total = IpDatagram.TotalLength(inner);
        if (total > 0 && total < inner.Length)
            inner = inner[..total];
        if (ClampMss)
            TcpMssClamp.Clamp(inner, TcpMssClamp.MssFor(MaxInner(sa), IpPacketReader.Version(inner)));
        return inner;
    }

    private void SendTooBig(ReadOnlySpan<byte> packet, int mtu, uint interfaceId)
    {
        if (!_icmpLimiter.TryAcquire(Environment.TickCount64))
            return;
        // The error quotes at most 1280 - 48 bytes: small enough for the stack.
        Span<byte> error = stackalloc byte[IcmpTooBigBuilder.MaxIpv6Error];
        int n = IcmpTooBigBuilder.Write(packet, mtu, error);
        // Back out of the interface the packet came in through.
        var device = interfaceId == 0 ? _tunnel : _interfaces.GetValueOrDefault(interfaceId) ?? _tunnel;
        if (n > 0 && device.WritePacket(error[..n]))
            Interlocked.Increment(ref _icmpSent);
    }
}

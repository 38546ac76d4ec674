using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.DataPlane.Ah;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Packets;
using Petrel.DataPlane.Sad;
using Petrel.DataPlane.Spd;

namespace Petrel.DataPlane.Pipeline;

/// <summary>
/// The userspace IPsec "kernel": SAD and SPD behind <see cref="IIpsecKernel"/>, and the packet
/// pipeline between the tunnel device and the outer transport.
/// <list type="bullet">
/// <item>Outbound: <see cref="ProcessOutbound"/> with a packet read from the TUN device → SPD →
/// outbound SA of the policy → ESP → <see cref="IOuterTransport.SendEsp"/>.</item>
/// <item>Inbound: <see cref="ProcessInbound"/> with an ESP packet (from UDP 4500 after
/// <see cref="UdpEncapsulation.Classify"/>) → SA by SPI → replay/ICV/decrypt → policy check →
/// <see cref="ITunnelDevice.WritePacket"/>.</item>
/// </list>
/// Control calls (the IIpsecKernel members) may come from any thread; packet calls from any
/// number of packet threads. SAD and SPD are copy-on-write, so packets never take a global lock.
/// </summary>
public sealed partial class UserspaceKernel : IIpsecKernel, IDisposable
{
    private static readonly TimeSpan AcquireInterval = TimeSpan.FromSeconds(1);
    private readonly TimeProvider _time;

    private readonly IOuterTransport _outer;
    private readonly ITunnelDevice _tunnel;
    private readonly IRouteController? _routes;
    private readonly IEspAlgorithmProvider _algorithms;
    private readonly ILogger _log;
    private readonly SecurityAssociationDatabase _sad = new();
    private readonly SecurityPolicyDatabase _spd = new();
    private readonly Lock _spiLock = new();
    private readonly HashSet<uint> _reservedSpis = [];
    private readonly ConcurrentDictionary<uint, long> _lastAcquire = new();
    private readonly Func<byte[], int, int, bool?> _sendQueued;

    /// <param name="time">Monotonic time for the acquire limiter (tests step its wall clock); the system's by default.</param>
    public UserspaceKernel(IOuterTransport outer, ITunnelDevice tunnel, IRouteController? routes = null,
        IEspAlgorithmProvider? algorithms = null, ILogger<UserspaceKernel>? logger = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _outer = outer;
        _tunnel = tunnel;
        _routes = routes;
        _algorithms = algorithms ?? CatalogEspAlgorithmProvider.Instance;
        _log = logger ?? (ILogger)NullLogger.Instance;
        _sendQueued = SendQueued;
    }

    /// <summary>Space a caller must leave before an outbound inner packet in its buffer.</summary>
    public const int Headroom = EspProcessor.Headroom;

    /// <summary>Space a caller must leave after an outbound inner packet in its buffer.</summary>
    public const int Tailroom = EspProcessor.Tailroom;

    public DataPlaneStatistics Statistics { get; } = new();

    /// <summary>Raised on a packet thread (at most once a second per policy): handlers must be quick and thread-safe.</summary>
    public event Action<AcquireEvent>? Acquire;

    public event Action<SequenceExhaustionEvent>? SequenceExhaustion;

    public IReadOnlyList<PolicySpec> Policies => _spd.List();

    /// <summary>Packets held for trap policies until their CHILD_SA is installed.</summary>
    public AcquireQueue AcquireQueue { get; } = new();

    // ---- IIpsecKernel: control plane -------------------------------------------------------

    public uint AllocateSpi()
    {
        Span<byte> b = stackalloc byte[4];
        lock (_spiLock)
        {
            while (true)
            {
                RandomNumberGenerator.Fill(b);
                uint spi = BinaryPrimitives.ReadUInt32BigEndian(b);
                // RFC 4303 §2.1: 1..255 are reserved by IANA, 0 is never sent.
                if (spi <= 255 || _sad.ContainsInbound(spi) || !_reservedSpis.Add(spi))
                    continue;
                return spi;
            }
        }
    }

    public void InstallSa(SaSpec sa)
    {
        if (sa.Protocol == IpsecProtocol.Ah && sa.UdpEncapsulation)
            throw new NotSupportedException($"SA {sa.Spi:x8}: AH cannot cross NAT (RFC 4302 §3.3.3 authenticates the outer IP addresses, and AH has no UDP encapsulation, RFC 3948 §1); use ESP");
        if (sa.Protocol != IpsecProtocol.Esp && sa.Protocol != IpsecProtocol.Ah)
            throw new NotSupportedException($"SA {sa.Spi:x8}: the userspace data plane supports ESP and AH, not {sa.Protocol}");
        if (sa.Mode != IpsecMode.Tunnel && sa.Mode != IpsecMode.Transport)
            throw new NotSupportedException($"SA {sa.Spi:x8}: the userspace data plane supports tunnel and transport mode, not {sa.Mode}");
        if (!_algorithms.TryResolve(sa, out var algorithms, out var error))
            throw new NotSupportedException($"SA {sa.Spi:x8}: {error}");

        var esp = new EspSa(sa, algorithms, PacketThreads);
        if (sa.Direction == SaDirection.Outbound && !sa.ExtendedSequenceNumbers)
            esp.SequenceExhausted = OnSequenceExhausted;
        var replaced = _sad.Add(esp);
        replaced?.Dispose();
        if (sa.Direction == SaDirection.Inbound)
        {
            lock (_spiLock)
                _reservedSpis.Remove(sa.Spi);
        }
        else
        {
            _lastAcquire.TryRemove(sa.ReqId, out _);
            OutboundSaChanged(esp, installed: true);
        }
        // Packets queued for a trap that this SA now covers go out first (control thread; the TUN path checks too).
        AcquireQueue.Flush(Headroom, _sendQueued);
        _log.LogDebug("installed {Direction} {Protocol} {Mode} SA {Spi:x8} reqid {ReqId} {Source} -> {Destination}{Encap}",
            sa.Direction, sa.Protocol, sa.Mode, sa.Spi, sa.ReqId, sa.Source, sa.Destination, sa.UdpEncapsulation ? " (UDP-encapsulated)" : "");
    }

    private void OnSequenceExhausted(EspSa sa)
    {
        _log.LogInformation("outbound SA {Spi:x8} reqid {ReqId} has used {Sequence} of its 2^32-1 sequence numbers, asking for a rekey", sa.Spi, sa.ReqId, sa.Sequence);
        SequenceExhaustion?.Invoke(new SequenceExhaustionEvent(sa.Spi, sa.ReqId, sa.Sequence));
    }

    public void RemoveSa(uint spi, SaDirection direction)
    {
        var removed = _sad.Remove(spi, direction);
        if (direction == SaDirection.Inbound)
        {
            lock (_spiLock)
                _reservedSpis.Remove(spi);
        }
        if (removed is null)
            return;
        removed.Dispose();
        if (direction == SaDirection.Outbound)
            OutboundSaChanged(removed, installed: false);
        _log.LogDebug("removed {Direction} SA {Spi:x8} reqid {ReqId}", direction, spi, removed.ReqId);
    }

    // Installs and removals are logged at debug, as strongSwan logs its kernel's at knl level 2: the IKE layer's info
    // lines ("CHILD_SA … established with SPIs … and TS …", "… deleted") carry the same SPIs and selectors, and a
    // gateway setting up thousands of SAs spends its time on them, not on three more lines each.
    public void InstallPolicy(PolicySpec policy)
    {
        var replaced = _spd.Install(policy);
        // Route-based policies (an interface id) get no routes: the user or a routing daemon routes over the interface.
        if (_routes is not null && policy.InterfaceIdOut == 0 && policy.InterfaceIdIn == 0)
        {
            try
            {
                // Discard policies are routed into the device too (so their traffic is dropped here);
                // bypass policies let the route controller keep their traffic off the device.
                if (replaced is not null && replaced.Spec.InterfaceIdOut == 0 && replaced.Spec.InterfaceIdIn == 0)
                    _routes.PolicyRemoved(replaced.Spec);
                _routes.PolicyInstalled(policy);
            }
            catch (Exception e)
            {
                _log.LogError(e, "policy reqid {ReqId}: installing routes failed", policy.ReqId);
            }
        }
        if (_log.IsEnabled(LogLevel.Debug))
            _log.LogDebug("installed {Action} policy reqid {ReqId} {Local} === {Remote}", policy.Action, policy.ReqId,
                string.Join(",", policy.LocalTs), string.Join(",", policy.RemoteTs));
        AcquireQueue.Flush(Headroom, _sendQueued);
    }

    public void RemovePolicy(uint reqId)
    {
        var removed = _spd.Remove(reqId);
        _lastAcquire.TryRemove(reqId, out _);
        AcquireQueue.Discard(reqId);
        if (removed is null)
            return;
        if (_routes is not null && removed.Spec.InterfaceIdOut == 0 && removed.Spec.InterfaceIdIn == 0)
        {
            try
            {
                _routes.PolicyRemoved(removed.Spec);
            }
            catch (Exception e)
            {
                _log.LogError(e, "policy reqid {ReqId}: removing routes failed", reqId);
            }
        }
        _log.LogDebug("removed policy reqid {ReqId}", reqId);
    }

    /// <summary>Tests: the SA itself (to move its counter near the 32-bit end).</summary>
    internal EspSa? FindSa(uint spi, SaDirection direction) => _sad.Find(spi, direction);

    public bool TryGetCounters(uint spi, SaDirection direction, out SaCounters counters)
    {
        var sa = _sad.Find(spi, direction);
        counters = sa?.Counters ?? default;
        return sa is not null;
    }

    // ---- data plane ------------------------------------------------------------------------

    /// <summary>
    /// Protects one packet read from the tunnel device at buffer[offset..offset+length] and sends
    /// it. The buffer must leave <see cref="Headroom"/> bytes before and <see cref="Tailroom"/>
    /// bytes after the packet; it is overwritten in place.
    /// </summary>
    public DropReason ProcessOutbound(Span<byte> buffer, int offset, int length) => ProcessOutbound(buffer, offset, length, 0);

    /// <summary>As <see cref="ProcessOutbound(Span{byte}, int, int)"/> for a packet read from the virtual tunnel interface interfaceId (0: the shared device).</summary>
    public DropReason ProcessOutbound(Span<byte> buffer, int offset, int length, uint interfaceId)
    {
        var result = Outbound(buffer, offset, length, interfaceId);
        if (result == DropReason.None)
            Statistics.CountEncapsulated();
        else
            Statistics.CountDrop(result);
        return result;
    }

    /// <summary>
    /// Processes one ESP packet (starting at the SPI; for ESP-in-UDP the UDP payload), decrypting
    /// it in place and writing the inner packet to the tunnel device.
    /// </summary>
    public DropReason ProcessInbound(Span<byte> espPacket)
    {
        return CountInbound(Inbound(espPacket, 0, espPacket.Length));
    }

    /// <summary>
    /// Processes the ESP packet at buffer[offset..offset+length]. Transport mode writes an IP
    /// header in front of the decrypted payload, so callers leave <see cref="InboundHeadroom"/>
    /// bytes before the packet (without it a transport-mode payload is moved back instead, when
    /// the trailer leaves room).
    /// </summary>
    public DropReason ProcessInbound(Span<byte> buffer, int offset, int length)
    {
        return CountInbound(Inbound(buffer, offset, length));
    }

    private DropReason CountInbound(DropReason result)
    {
        if (result == DropReason.None)
            Statistics.CountDecapsulated();
        else
            Statistics.CountDrop(result);
        return result;
    }

    private DropReason Outbound(Span<byte> buffer, int offset, int length, uint interfaceId)
    {
        var result = Seal(buffer, offset, length, interfaceId, out int espOffset, out int espLength, out var peer);
        if (result != DropReason.None || peer is null)
            return result;
        return _outer.SendEsp(peer, buffer.Slice(espOffset, espLength)) ? DropReason.None : DropReason.SendFailed;
    }

    /// <summary>
    /// Outbound up to the wire: SPD, SA, ESP seal. An ESP packet is left at
    /// buffer[espOffset..espOffset+espLength] for peer; AH packets are sent here (peer is null).
    /// </summary>
    private DropReason Seal(Span<byte> buffer, int offset, int length, uint interfaceId, out int espOffset, out int espLength, out EspPeer? peer)
    {
        espOffset = 0;
        espLength = 0;
        peer = null;
        var packet = buffer.Slice(offset, length);
        if (!IpPacketReader.TryRead(packet, out var flow))
            return DropReason.Malformed;
        var policy = _spd.LookupOutbound(flow, interfaceId);
        if (policy is null)
            return DropReason.NoPolicy;
        if (policy.Action != PolicyAction.Protect)
            return DropReason.PolicyDiscard;
        var sa = _sad.FindOutbound(policy.ReqId);
        if (sa is null)
        {
            // RFC 4301 §5.1: hold the packet (bounded) while IKE negotiates; reported as NoSa because it is not sent now.
            AcquireQueue.Enqueue(policy.ReqId, packet, Headroom, Tailroom);
            RaiseAcquire(policy.ReqId, flow);
            return DropReason.NoSa;
        }
        // Earlier packets still queued for a trap go first, so the flow keeps its order.
        if (AcquireQueue.Count != 0)
            AcquireQueue.Flush(Headroom, _sendQueued);
        var result = Seal(sa, flow, buffer, offset, length, interfaceId, out espOffset, out espLength, out peer);
        if (result == DropReason.SaRemoved)
            result = SealWithSuccessor(sa, flow, buffer, offset, length, interfaceId, out espOffset, out espLength, out peer);
        return result;
    }

    /// <summary>A queued packet: null while no SA covers it yet, else whether it was sent.</summary>
    private bool? SendQueued(byte[] buffer, int offset, int length)
    {
        var span = buffer.AsSpan();
        if (!IpPacketReader.TryRead(span.Slice(offset, length), out var flow))
            return false;
        var policy = _spd.LookupOutbound(flow);
        if (policy is null || policy.Action != PolicyAction.Protect)
            return false;
        var sa = _sad.FindOutbound(policy.ReqId);
        if (sa is null)
            return null;
        var result = Seal(sa, flow, span, offset, length);
        if (result == DropReason.None)
            Statistics.CountEncapsulated();
        else
            Statistics.CountDrop(result);
        return result == DropReason.None;
    }

    /// <param name="interfaceId">The interface the packet came from (where a too-big error goes back); queued packets use the shared device.</param>
    private DropReason Seal(EspSa sa, in PacketFlow flow, Span<byte> buffer, int offset, int length, uint interfaceId = 0)
    {
        var result = Seal(sa, flow, buffer, offset, length, interfaceId, out int espOffset, out int espLength, out var peer);
        if (result != DropReason.None || peer is null)
            return result;
        return _outer.SendEsp(peer, buffer.Slice(espOffset, espLength)) ? DropReason.None : DropReason.SendFailed;
    }

    /// <summary>Seals for sa; an ESP packet is left in buffer for peer, AH is sent here (peer null).</summary>
    private DropReason Seal(EspSa sa, in PacketFlow flow, Span<byte> buffer, int offset, int length, uint interfaceId, out int espOffset, out int espLength, out EspPeer? peer)
    {
        espOffset = 0;
        espLength = 0;
        peer = null;
        var prepared = PrepareOutbound(sa, buffer, offset, ref length, interfaceId);
        if (prepared != DropReason.None)
            return prepared;

        if (sa.Protocol == IpsecProtocol.Ah)
        {
            var ahResult = AhProcessor.Seal(sa, buffer, offset, length, out int ipOffset, out int ipLength);
            if (ahResult != DropReason.None)
                return ahResult;
            return _outer.SendIp(sa.Peer, buffer.Slice(ipOffset, ipLength)) ? DropReason.None : DropReason.SendFailed;
        }

        if (sa.Mode == IpsecMode.Transport)
            return OutboundEspTransport(sa, buffer, offset, length);

        byte next = flow.Family == AddressFamily.InterNetwork ? EspProcessor.NextHeaderIpv4 : EspProcessor.NextHeaderIpv6;
        var result = EspProcessor.Seal(sa, buffer, offset, length, next, out espOffset, out espLength);
        if (result == DropReason.None)
            peer = sa.Peer;
        return result;
    }

    private DropReason Inbound(Span<byte> buffer, int offset, int length)
    {
        var result = Decapsulate(buffer, offset, length, out int innerOffset, out int innerLength);
        if (result != DropReason.None || innerLength == 0)
            return result;
        return _tunnel.WritePacket(buffer.Slice(innerOffset, innerLength)) ? DropReason.None : DropReason.SendFailed;
    }

    /// <summary>
    /// Inbound up to the tunnel device: SA by SPI, ESP open, inner policy check. A tunnel-mode
    /// inner packet is left at buffer[innerOffset..+innerLength]; transport mode rebuilds and
    /// writes its packet itself (innerLength 0).
    /// </summary>
    private DropReason Decapsulate(Span<byte> buffer, int offset, int length, out int innerOffset, out int innerLength)
    {
        innerOffset = 0;
        innerLength = 0;
        var esp = buffer.Slice(offset, length);
        if (esp.Length < EspProcessor.HeaderLength)
            return DropReason.Truncated;
        uint spi = BinaryPrimitives.ReadUInt32BigEndian(esp);
        var sa = _sad.FindInbound(spi);
        if (sa is null || sa.Protocol != IpsecProtocol.Esp)
            return DropReason.UnknownSpi;

        var result = EspProcessor.Open(sa, esp, out int openedOffset, out int openedLength, out byte next);
        if (result != DropReason.None)
            return result;
        if (sa.Mode == IpsecMode.Transport)
            return InboundEspTransport(sa, buffer, offset + openedOffset, openedLength, offset + length, next);

        var inner = esp.Slice(openedOffset, openedLength);
        int version = IpPacketReader.Version(inner);
        if (!(next == EspProcessor.NextHeaderIpv4 && version == 4) && !(next == EspProcessor.NextHeaderIpv6 && version == 6))
            return DropReason.BadNextHeader;
        if (!IpPacketReader.TryRead(inner, out var flow))
            return DropReason.Malformed;
        // RFC 4301 §5.2 step 4: the decrypted packet must match the selectors of the SA's policy.
        var policy = _spd.Find(sa.ReqId);
        if (policy is null || !policy.MatchesInbound(flow))
            return DropReason.PolicyMismatch;
        var tunnel = TunnelFor(policy.Spec);
        inner = FinishInbound(sa, inner);
        if (!ReferenceEquals(tunnel, _tunnel))
        {
            // A route-based interface (if_id): written here, the caller's batching is for the shared device.
            return tunnel.WritePacket(inner) ? DropReason.None : DropReason.SendFailed;
        }
        innerOffset = offset + openedOffset;
        innerLength = inner.Length;
        return DropReason.None;
    }

    /// <summary>
    /// Processes one whole IP packet carrying AH (IP protocol 51, from a raw socket) at
    /// buffer[offset..offset+length]: verifies it in place and writes the inner packet (tunnel)
    /// or the restored original packet (transport) to the tunnel device. With ESN the buffer needs
    /// 4 spare bytes after the packet.
    /// </summary>
    public DropReason ProcessInboundAh(Span<byte> buffer, int offset, int length)
    {
        return CountInbound(InboundAh(buffer, offset, length));
    }

    private DropReason InboundAh(Span<byte> buffer, int offset, int length)
    {
        var packet = buffer.Slice(offset, length);
        if (!AhHeaderChain.TryLocate(packet, out int ahOffset, out int nextField))
            return DropReason.Malformed;
        uint spi = BinaryPrimitives.ReadUInt32BigEndian(packet[(ahOffset + 4)..]);
        var sa = _sad.FindInbound(spi);
        if (sa is null || sa.Protocol != IpsecProtocol.Ah)
            return DropReason.UnknownSpi;
        var result = AhProcessor.Open(sa, buffer, offset, length, ahOffset, nextField, out int innerOffset, out int innerLength, out byte next);
        if (result != DropReason.None)
            return result;
        var inner = buffer.Slice(innerOffset, innerLength);
        if (sa.Mode == IpsecMode.Tunnel)
        {
            int version = IpPacketReader.Version(inner);
            if (!(next == EspProcessor.NextHeaderIpv4 && version == 4) && !(next == EspProcessor.NextHeaderIpv6 && version == 6))
                return DropReason.BadNextHeader;
        }
        if (!IpPacketReader.TryRead(inner, out var flow))
            return DropReason.Malformed;
        // RFC 4301 §5.2 step 4: the packet must match the selectors of the SA's policy.
        var policy = _spd.Find(sa.ReqId);
        if (policy is null || !policy.MatchesInbound(flow))
            return DropReason.PolicyMismatch;
        return TunnelFor(policy.Spec).WritePacket(inner) ? DropReason.None : DropReason.SendFailed;
    }

    /// <summary>
    /// RFC 4301 §5.1: ask IKE for an SA, at most once a second per policy. The second is measured on the monotonic
    /// clock: with the wall clock, a step back (NTP, an operator's date) held every acquire back for as long as the
    /// step, and trap policies stalled.
    /// </summary>
    private void RaiseAcquire(uint reqId, in PacketFlow flow)
    {
        var handler = Acquire;
        if (handler is null)
            return;
        long now = _time.GetTimestamp();
        if (_lastAcquire.TryGetValue(reqId, out long last) && _time.GetElapsedTime(last, now) < AcquireInterval)
            return;
        _lastAcquire[reqId] = now;
        try
        {
            handler(new AcquireEvent(reqId, ToAddress(flow.Family, flow.Source), ToAddress(flow.Family, flow.Destination)));
        }
        catch (Exception e)
        {
            // A failing subscriber must not take the packet thread down.
            _log.LogError(e, "acquire handler failed for reqid {ReqId}", reqId);
        }
    }

    private static IPAddress ToAddress(AddressFamily family, UInt128 value)
    {
        if (family == AddressFamily.InterNetwork)
            return new IPAddress(BinaryPrimitives.ReverseEndianness((uint)value));
        Span<byte> b = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(b, value);
        return new IPAddress(b);
    }

    /// <summary>Removes every policy (and so its routes) and every SA, zeroing the keys.</summary>
    public void Dispose()
    {
        foreach (var policy in _spd.List())
            RemovePolicy(policy.ReqId);
        foreach (var sa in _sad.Clear())
            sa.Dispose();
    }
}

using System.Security.Cryptography;
using Petrel.Crypto.Primitives;
using Petrel.DataPlane.Kernel;

namespace Petrel.DataPlane.Esp;

/// <summary>
/// One unidirectional ESP or AH SA at run time (RFC 4301 §4.4.2): keyed cipher and MAC contexts reused
/// for every packet, the sequence counter (outbound) or replay window (inbound), and counters.
/// Several packet threads may work on one SA at once (one pipeline per core): each uses its own
/// <see cref="SaLane"/> of contexts (<see cref="PacketLane.Current"/>) under that lane's gate, the
/// outbound sequence counter is claimed atomically (<see cref="TryReserveSequences"/>), the replay
/// window is guarded by <see cref="ReplayGate"/> and the counters are interlocked. Removal takes every
/// lane's gate, so it disposes the contexts and zeroes the keys without racing a packet in flight.
/// An AH SA (RFC 4302) has no cipher: only the integrity context, sequence counter and window; AH
/// packets all use lane 0.
/// </summary>
internal sealed class EspSa : IDisposable
{
    private readonly byte[] _encryptionKey;
    private readonly byte[] _integrityKey;
    private ulong _sequence;
    private long _bytes;
    private long _packets;
    private long _replayDrops;
    private long _integrityFailures;
    private long _lastUsedTicks;
    private bool _disposed;

    private readonly SaLane[] _lanes;

    /// <param name="lanes">Context sets for that many concurrent packet threads (at least 1).</param>
    public EspSa(SaSpec spec, EspAlgorithms algorithms, int lanes = 1)
    {
        Spi = spec.Spi;
        Direction = spec.Direction;
        ReqId = spec.ReqId;
        Esn = spec.ExtendedSequenceNumbers;
        Peer = new EspPeer(spec.Source, spec.Destination, spec.UdpEncapsulation);
        Spec = spec;
        Protocol = spec.Protocol;
        Mode = spec.Mode;
        NatChecksum = TransportNatChecksum.For(spec);
        _encryptionKey = spec.EncryptionKey;
        _integrityKey = spec.IntegrityKey;

        if (spec.Protocol == IpsecProtocol.Ah)
        {
            // RFC 4302: integrity only; the encryption transform IKE passes for AH is a placeholder.
            if (algorithms.Integrity is not { } ahInteg)
                throw new ArgumentException($"SA {spec.Spi:x8}: AH needs an integrity transform");
            if (_integrityKey.Length != ahInteg.KeyLength)
                throw new ArgumentException($"SA {spec.Spi:x8}: integrity key is {_integrityKey.Length} bytes, transform {spec.Integrity} needs {ahInteg.KeyLength}");
            IcvLength = ahInteg.IcvLength;
            Alignment = 4;
            if (IcvLength < 4 || IcvLength > EspProcessor.MaxIcvLength)
                throw new ArgumentException($"SA {spec.Spi:x8}: ICV {IcvLength} bytes exceeds what the data plane supports");
            // AH runs on lane 0 only (raw sockets, one thread each).
            ahInteg.CreateContext(_integrityKey).Dispose(); // a key the transform refuses fails the install
            _lanes = [new SaLane(null, () => ahInteg.CreateContext(_integrityKey))];
            if (spec.Direction == SaDirection.Inbound)
                Replay = new ReplayWindow(spec.ReplayWindow, spec.ExtendedSequenceNumbers);
            return;
        }

        var enc = algorithms.Encryption
            ?? throw new ArgumentException($"SA {spec.Spi:x8}: ESP needs an encryption transform");
        if (spec.EncryptionKey.Length != enc.KeyLength)
            throw new ArgumentException($"SA {spec.Spi:x8}: encryption key is {spec.EncryptionKey.Length} bytes, transform {spec.Encryption} needs {enc.KeyLength}");
        IsAead = enc.IsAead;
        IvLength = enc.IvLength;
        // RFC 4303 §2.4: the trailer ends on a 4-byte boundary and the ciphertext is whole blocks.
        Alignment = Math.Max(4, enc.BlockSize);
        // A 64-bit counter IV is what RFC 4106 §3.1 / RFC 7634 §2 recommend for counter-based modes
        // (uniqueness is all they need); CBC needs an unpredictable IV (RFC 3602 §3), so random.
        CounterIv = enc.IsAead || enc.BlockSize == 1;
        if (IsAead)
        {
            IcvLength = enc.IcvLength;
        }
        else
        {
            if (algorithms.Integrity is not { } integ)
                throw new ArgumentException($"SA {spec.Spi:x8}: transform {spec.Encryption} is not AEAD and no integrity transform is given");
            if (_integrityKey.Length != integ.KeyLength)
                throw new ArgumentException($"SA {spec.Spi:x8}: integrity key is {_integrityKey.Length} bytes, transform {spec.Integrity} needs {integ.KeyLength}");
            IcvLength = integ.IcvLength;
        }
        if (IcvLength < 4 || IcvLength > EspProcessor.MaxIcvLength || IvLength > EspProcessor.MaxIvLength)
            throw new ArgumentException($"SA {spec.Spi:x8}: IV {IvLength} or ICV {IcvLength} bytes exceed what the data plane supports");

        // Keyed once here so that a key the transform refuses fails the install, not a packet; the lanes key their
        // own contexts on first use (SaLane).
        enc.CreateContext(_encryptionKey).Dispose();
        var integrity = IsAead ? null : algorithms.Integrity!;
        integrity?.CreateContext(_integrityKey).Dispose();
        _lanes = new SaLane[Math.Max(1, lanes)];
        for (int i = 0; i < _lanes.Length; i++)
            _lanes[i] = new SaLane(() => enc.CreateContext(_encryptionKey), integrity is null ? null : () => integrity.CreateContext(_integrityKey));

        if (spec.Direction == SaDirection.Inbound)
            Replay = new ReplayWindow(spec.ReplayWindow, spec.ExtendedSequenceNumbers);
    }

    public uint Spi { get; }
    public SaDirection Direction { get; }
    public uint ReqId { get; }
    public bool Esn { get; }
    public SaSpec Spec { get; }
    public EspPeer Peer { get; }
    public IpsecProtocol Protocol { get; }
    public IpsecMode Mode { get; }

    /// <summary>Inbound transport mode across a NAT: the TCP/UDP checksum fix-up (RFC 3948 §3.1.2).</summary>
    public TransportNatChecksum NatChecksum { get; }

    /// <summary>Lane 0's cipher; null for AH SAs only, ESP SAs always have one.</summary>
    public ICipherContext? Cipher => _lanes[0].Cipher;

    /// <summary>Lane 0's integrity context.</summary>
    public IIntegrityContext? Integrity => _lanes[0].Integrity;
    public bool IsAead { get; }
    public int IvLength { get; }
    public int IcvLength { get; }
    public int Alignment { get; }
    public bool CounterIv { get; }
    public ReplayWindow? Replay { get; }

    /// <summary>Lane 0's gate (AH, and threads that never chose a lane).</summary>
    public Lock Gate => _lanes[0].Gate;

    /// <summary>Guards <see cref="Replay"/>: held only for the check and the update, not while the packet is verified.</summary>
    public Lock ReplayGate { get; } = new();

    public int LaneCount => _lanes.Length;

    /// <summary>The calling thread's lane (<see cref="PacketLane.Current"/>, wrapped to the lanes this SA has).</summary>
    public SaLane CurrentLane
    {
        get
        {
            int i = PacketLane.Current;
            var lanes = _lanes;
            return (uint)i < (uint)lanes.Length ? lanes[i] : lanes[i % lanes.Length];
        }
    }

    public bool Disposed { get => Volatile.Read(ref _disposed); private set => Volatile.Write(ref _disposed, value); }

    /// <summary>Last sequence number claimed (outbound).</summary>
    public ulong Sequence => Volatile.Read(ref _sequence);

    /// <summary>
    /// Known-answer tests only: published ESP packets (RFC 7634 App. A, draft-mcgrew-gcm-test-01) fix the IV
    /// and sequence number, which Petrel otherwise chooses itself. Null in production.
    /// </summary>
    internal byte[]? FixedIv { get; set; }

    /// <summary>Known-answer tests only: the next outbound packet gets sequence number last + 1.</summary>
    internal void ContinueSequenceAfter(ulong last) => Volatile.Write(ref _sequence, last);

    /// <summary>
    /// Sequence numbers left when a 32-bit counter asks for a rekey: 2^28 (268 million packets, 3 minutes at
    /// 1.5 Mpps), so the new SA is in place long before the old one must stop sending.
    /// </summary>
    public const ulong SequenceHeadroom = 1UL << 28;

    /// <summary>The last sequence number before <see cref="SequenceExhausted"/> fires (32-bit counters only).</summary>
    public const ulong SequenceRekeyMark = uint.MaxValue - SequenceHeadroom;

    /// <summary>
    /// Called once, on the packet thread whose reservation reaches <see cref="SequenceRekeyMark"/> + 1, for an SA
    /// without ESN. Reservations are disjoint ranges, so exactly one of them contains the mark.
    /// </summary>
    public Action<EspSa>? SequenceExhausted { get; set; }

    /// <summary>Next outbound sequence number, or false once the counter would cycle (RFC 4303 §3.3.3). Any thread.</summary>
    public bool TryNextSequence(out ulong sequence) => TryReserveSequences(1, out sequence);

    /// <summary>
    /// Claims count consecutive outbound sequence numbers first..first+count-1 at once, so a batch
    /// sealed by several threads still leaves in sequence order. False (nothing claimed) when they
    /// would pass 2^32-1, or 2^64-1 with ESN: RFC 4303 §3.3.3 forbids cycling the counter.
    /// </summary>
    public bool TryReserveSequences(int count, out ulong first)
    {
        ulong limit = Esn ? ulong.MaxValue : uint.MaxValue;
        ulong current = Volatile.Read(ref _sequence);
        while (true)
        {
            if (count <= 0 || limit - current < (ulong)count)
            {
                first = 0;
                return false;
            }
            ulong seen = Interlocked.CompareExchange(ref _sequence, current + (ulong)count, current);
            if (seen == current)
            {
                first = current + 1;
                if (!Esn && current <= SequenceRekeyMark && current + (ulong)count > SequenceRekeyMark)
                    SequenceExhausted?.Invoke(this);
                return true;
            }
            current = seen;
        }
    }

    /// <summary>
    /// Continues the outbound counter after last. Tests use it to reach the 32-bit wrap (and
    /// ESN's high bits) without sending 2^32 packets first.
    /// </summary>
    public void ResumeSequenceAfter(ulong last) => Volatile.Write(ref _sequence, last);

    public void CountPacket(int innerBytes)
    {
        Interlocked.Add(ref _bytes, innerBytes);
        Interlocked.Increment(ref _packets);
        Volatile.Write(ref _lastUsedTicks, DateTime.UtcNow.Ticks);
    }

    public void CountReplayDrop() => Interlocked.Increment(ref _replayDrops);

    public void CountIntegrityFailure() => Interlocked.Increment(ref _integrityFailures);

    public SaCounters Counters => new(
        (ulong)Volatile.Read(ref _bytes),
        (ulong)Volatile.Read(ref _packets),
        (ulong)Volatile.Read(ref _replayDrops),
        (ulong)Volatile.Read(ref _integrityFailures),
        Volatile.Read(ref _lastUsedTicks));

    /// <summary>Disposes the cipher contexts and zeroes the keys (SPEC §3: key material is zeroed when an SA ends).</summary>
    public void Dispose()
    {
        lock (ReplayGate)
            DisposeLanes(0);
    }

    /// <summary>Takes the gates of lanes i.. in order (so two disposers cannot deadlock), then releases the contexts.</summary>
    private void DisposeLanes(int i)
    {
        if (i < _lanes.Length)
        {
            lock (_lanes[i].Gate)
                DisposeLanes(i + 1);
            return;
        }
        if (Disposed)
            return;
        Disposed = true;
        foreach (var lane in _lanes)
            lane.Dispose();
        CryptographicOperations.ZeroMemory(_encryptionKey);
        CryptographicOperations.ZeroMemory(_integrityKey);
    }
}

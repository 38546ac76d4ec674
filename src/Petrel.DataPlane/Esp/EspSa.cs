using System.Security.Cryptography;
using Petrel.Crypto.Primitives;
using Petrel.DataPlane.Kernel;

namespace Petrel.DataPlane.Esp;

/// <summary>
/// One unidirectional ESP or AH SA at run time (RFC 4301 §4.4.2): keyed cipher and MAC contexts reused
/// for every packet, the sequence counter (outbound) or replay window (inbound), and counters.
/// Packet processing for one SA is serialized by <see cref="Gate"/>, a per-SA lock, so removal
/// can dispose the contexts and zero the keys without racing a packet in flight.
/// An AH SA (RFC 4302) has no cipher: only the integrity context, sequence counter and window.
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

    public EspSa(SaSpec spec, EspAlgorithms algorithms)
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
            Integrity = ahInteg.CreateContext(_integrityKey);
            IcvLength = ahInteg.IcvLength;
            Alignment = 4;
            if (IcvLength < 4 || IcvLength > EspProcessor.MaxIcvLength)
            {
                Integrity.Dispose();
                throw new ArgumentException($"SA {spec.Spi:x8}: ICV {IcvLength} bytes exceeds what the data plane supports");
            }
            if (spec.Direction == SaDirection.Inbound)
                Replay = new ReplayWindow(spec.ReplayWindow, spec.ExtendedSequenceNumbers);
            return;
        }

        var enc = algorithms.Encryption
            ?? throw new ArgumentException($"SA {spec.Spi:x8}: ESP needs an encryption transform");
        if (spec.EncryptionKey.Length != enc.KeyLength)
            throw new ArgumentException($"SA {spec.Spi:x8}: encryption key is {spec.EncryptionKey.Length} bytes, transform {spec.Encryption} needs {enc.KeyLength}");
        Cipher = enc.CreateContext(_encryptionKey);
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
            {
                Cipher!.Dispose();
                throw new ArgumentException($"SA {spec.Spi:x8}: integrity key is {_integrityKey.Length} bytes, transform {spec.Integrity} needs {integ.KeyLength}");
            }
            Integrity = integ.CreateContext(_integrityKey);
            IcvLength = integ.IcvLength;
        }
        if (IcvLength < 4 || IcvLength > EspProcessor.MaxIcvLength || IvLength > EspProcessor.MaxIvLength)
            throw new ArgumentException($"SA {spec.Spi:x8}: IV {IvLength} or ICV {IcvLength} bytes exceed what the data plane supports");

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

    /// <summary>Null for AH SAs only; ESP SAs always have one.</summary>
    public ICipherContext? Cipher { get; }
    public IIntegrityContext? Integrity { get; }
    public bool IsAead { get; }
    public int IvLength { get; }
    public int IcvLength { get; }
    public int Alignment { get; }
    public bool CounterIv { get; }
    public ReplayWindow? Replay { get; }

    /// <summary>Held while a packet of this SA is processed and while the SA is disposed.</summary>
    public Lock Gate { get; } = new();

    public bool Disposed { get; private set; }

    /// <summary>Last sequence number sent (outbound). Caller holds <see cref="Gate"/>.</summary>
    public ulong Sequence => _sequence;

    /// <summary>
    /// Known-answer tests only: published ESP packets (RFC 7634 App. A, draft-mcgrew-gcm-test-01) fix the IV
    /// and sequence number, which Petrel otherwise chooses itself. Null in production.
    /// </summary>
    internal byte[]? FixedIv { get; set; }

    /// <summary>Known-answer tests only: the next outbound packet gets sequence number last + 1.</summary>
    internal void ContinueSequenceAfter(ulong last) => _sequence = last;

    /// <summary>Next outbound sequence number, or false once the counter would cycle (RFC 4303 §3.3.3). Caller holds <see cref="Gate"/>.</summary>
    public bool TryNextSequence(out ulong sequence)
    {
        ulong limit = Esn ? ulong.MaxValue : uint.MaxValue;
        if (_sequence >= limit)
        {
            sequence = 0;
            return false;
        }
        sequence = ++_sequence;
        return true;
    }

    /// <summary>
    /// Continues the outbound counter after last. Tests use it to reach the 32-bit wrap (and
    /// ESN's high bits) without sending 2^32 packets first.
    /// </summary>
    public void ResumeSequenceAfter(ulong last)
    {
        lock (Gate)
            _sequence = last;
    }

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
        lock (Gate)
        {
            if (Disposed)
                return;
            Disposed = true;
            Cipher?.Dispose();
            Integrity?.Dispose();
            CryptographicOperations.ZeroMemory(_encryptionKey);
            CryptographicOperations.ZeroMemory(_integrityKey);
        }
    }
}

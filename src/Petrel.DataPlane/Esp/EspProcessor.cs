using System.Buffers.Binary;
using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.DataPlane.Esp;

/// <summary>
/// ESP tunnel-mode encapsulation and decapsulation (RFC 4303 §2, §3.3, §3.4), in place in a
/// caller-owned buffer. Outbound, the inner packet sits at an offset leaving
/// <see cref="Headroom"/> bytes before it and <see cref="Tailroom"/> after it; the ESP header and
/// IV are written in front, padding, trailer and ICV behind. Inbound, the ESP packet is
/// authenticated and decrypted where it lies and the inner packet's position is returned.
/// Nothing here allocates or throws for a bad packet: the result is a <see cref="DropReason"/>.
/// </summary>
internal static class EspProcessor
{
    public const int HeaderLength = 8;          // SPI + Sequence Number (RFC 4303 §2)
    public const int MaxIvLength = 16;          // CBC with a 128-bit block
    public const int MaxIcvLength = 32;         // HMAC-SHA2-512-256
    public const int Headroom = 128;            // ≥ HeaderLength + MaxIvLength, and AH's outer IPv6 header + AH (40 + 12 + 40)
    public const int Tailroom = 255 + 2 + MaxIcvLength + 16;
    public const byte NextHeaderIpv4 = 4;
    public const byte NextHeaderIpv6 = 41;
    public const byte NextHeaderNone = 59;      // RFC 4303 §2.6: TFC dummy packet

    /// <summary>
    /// Encapsulates the inner packet at buffer[innerOffset..innerOffset+innerLength] for sa.
    /// On success the ESP packet is buffer[espOffset..espOffset+espLength].
    /// </summary>
    public static DropReason Seal(EspSa sa, Span<byte> buffer, int innerOffset, int innerLength, byte nextHeader, out int espOffset, out int espLength) =>
        Seal(sa, 0, buffer, innerOffset, innerLength, nextHeader, out espOffset, out espLength);

    /// <summary>
    /// As <see cref="Seal(EspSa, Span{byte}, int, int, byte, out int, out int)"/> with a sequence
    /// number claimed beforehand (<see cref="EspSa.TryReserveSequences"/>), or 0 to claim the next one here.
    /// </summary>
    public static DropReason Seal(EspSa sa, ulong reservedSequence, Span<byte> buffer, int innerOffset, int innerLength, byte nextHeader, out int espOffset, out int espLength)
    {
        espOffset = innerOffset - HeaderLength - sa.IvLength;
        espLength = 0;
        int align = sa.Alignment;
        // RFC 4303 §2.4: payload + padding + Pad Length + Next Header is a multiple of the alignment.
        int padded = (innerLength + 2 + align - 1) / align * align;
        int padLength = padded - innerLength - 2;
        if (espOffset < 0 || innerOffset + padded + sa.IcvLength > buffer.Length)
            return DropReason.TooBig;

        var lane = sa.CurrentLane;
        lock (lane.Gate)
        {
            if (sa.Disposed)
                return DropReason.SaRemoved;
            ulong seq = reservedSequence;
            if (seq == 0 && !sa.TryNextSequence(out seq))
                return DropReason.SequenceOverflow;

            Span<byte> esp = buffer.Slice(espOffset, HeaderLength + sa.IvLength + padded + sa.IcvLength);
            BinaryPrimitives.WriteUInt32BigEndian(esp, sa.Spi);
            // Only the low 32 bits travel; with ESN the high half is implicit (RFC 4303 §2.2.1).
            BinaryPrimitives.WriteUInt32BigEndian(esp[4..], (uint)seq);

            Span<byte> iv = esp.Slice(HeaderLength, sa.IvLength);
            if (sa.FixedIv is { } fixedIv)
            {
                fixedIv.CopyTo(iv);
            }
            else if (sa.CounterIv)
            {
                iv.Clear();
                if (iv.Length >= 8)
                    BinaryPrimitives.WriteUInt64BigEndian(iv[^8..], seq);
            }
            else
            {
                lane.FillRandomIv(iv);
            }

            Span<byte> plain = esp.Slice(HeaderLength + sa.IvLength, padded);
            // RFC 4303 §2.4: default padding is the monotonically increasing series 1, 2, 3, ...
            for (int i = 0; i < padLength; i++)
                plain[innerLength + i] = (byte)(i + 1);
            plain[padded - 2] = (byte)padLength;
            plain[padded - 1] = nextHeader;

            Span<byte> icv = esp.Slice(HeaderLength + sa.IvLength + padded, sa.IcvLength);
            if (sa.IsAead)
            {
                Span<byte> aad = stackalloc byte[12];
                int aadLength = WriteAad(aad, sa.Spi, seq, sa.Esn);
                lane.Cipher!.Encrypt(iv, aad[..aadLength], plain, plain, icv);
            }
            else
            {
                lane.Cipher!.Encrypt(iv, default, plain, plain, default);
                ComputeIcv(sa, lane.Integrity!, esp, esp.Length - sa.IcvLength, seq);
            }

            espLength = esp.Length;
            sa.CountPacket(innerLength);
        }
        return DropReason.None;
    }

    /// <summary>
    /// Authenticates and decrypts the ESP packet esp (which starts at the SPI) for sa. On success
    /// the inner packet is esp[innerOffset..innerOffset+innerLength] and nextHeader is its type.
    /// </summary>
    public static DropReason Open(EspSa sa, Span<byte> esp, out int innerOffset, out int innerLength, out byte nextHeader) =>
        Open(sa, esp, deferReplay: false, out innerOffset, out innerLength, out nextHeader, out _);

    /// <summary>
    /// As <see cref="Open(EspSa, Span{byte}, out int, out int, out byte)"/>; with deferReplay the
    /// window is only checked, not moved, and the packet not counted: the caller then calls
    /// <see cref="Commit"/> for the packets of a batch in their arrival order, after opening them
    /// on several threads. Moving the window in arrival order keeps a fast thread from pushing it
    /// past packets a slower thread has not recorded yet (with a 32-packet window, half a 64-packet
    /// batch is enough to do that).
    /// </summary>
    public static DropReason Open(EspSa sa, Span<byte> esp, bool deferReplay, out int innerOffset, out int innerLength, out byte nextHeader, out ulong sequence)
    {
        sequence = 0;
        innerOffset = HeaderLength + sa.IvLength;
        innerLength = 0;
        nextHeader = 0;
        int cipherLength = esp.Length - innerOffset - sa.IcvLength;
        // At least Pad Length and Next Header, and whole blocks for a block cipher (RFC 4303 §3.4.2).
        if (cipherLength < 2 || cipherLength % (sa.Alignment == 4 ? 1 : sa.Alignment) != 0)
            return DropReason.Truncated;

        uint wireSeq = BinaryPrimitives.ReadUInt32BigEndian(esp[4..]);
        var replay = sa.Replay!;
        ulong seq;
        // The window is locked only around the check and the update: several threads may verify
        // packets of one SA at once, each with its own lane's contexts.
        lock (sa.ReplayGate)
        {
            // RFC 4303 §3.4.3: the cheap duplicate check comes before the ICV.
            if (!replay.Check(wireSeq, out seq))
            {
                sa.CountReplayDrop();
                return DropReason.Replay;
            }
        }

        Span<byte> iv = esp.Slice(HeaderLength, sa.IvLength);
        Span<byte> payload = esp.Slice(innerOffset, cipherLength);
        Span<byte> icv = esp.Slice(innerOffset + cipherLength, sa.IcvLength);
        var lane = sa.CurrentLane;
        lock (lane.Gate)
        {
            if (sa.Disposed)
                return DropReason.SaRemoved;
            if (sa.IsAead)
            {
                Span<byte> aad = stackalloc byte[12];
                int aadLength = WriteAad(aad, sa.Spi, seq, sa.Esn);
                if (!lane.Cipher!.Decrypt(iv, aad[..aadLength], payload, icv, payload))
                {
                    sa.CountIntegrityFailure();
                    return DropReason.IntegrityFailure;
                }
            }
            else
            {
                if (!VerifyIcv(sa, lane.Integrity!, esp, esp.Length - sa.IcvLength, seq))
                {
                    sa.CountIntegrityFailure();
                    return DropReason.IntegrityFailure;
                }
                lane.Cipher!.Decrypt(iv, default, payload, default, payload);
            }
        }

        // RFC 4303 §3.4.3: the window moves only for authenticated packets.
        sequence = seq;
        if (!deferReplay && !CommitReplay(sa, seq))
            return DropReason.Replay;

        int padLength = payload[^2];
        nextHeader = payload[^1];
        if (padLength + 2 > cipherLength)
            return DropReason.BadPadding;
        int contentLength = cipherLength - 2 - padLength;
        for (int i = 0; i < padLength; i++)
        {
            if (payload[contentLength + i] != (byte)(i + 1))
                return DropReason.BadPadding;
        }
        innerLength = contentLength;
        // Dummy packets are authenticated traffic but carry nothing (RFC 4303 §2.6).
        if (nextHeader == NextHeaderNone)
            return DropReason.Dummy;
        if (!deferReplay)
            sa.CountPacket(innerLength);
        return DropReason.None;
    }

    /// <summary>
    /// Second half of a deferred open (any authenticated result: None, Dummy, BadPadding): moves the
    /// window, then counts the packet if it carried one. Replay when the number was taken meanwhile
    /// (a duplicate in the same batch, or on another thread): of two copies exactly one wins.
    /// </summary>
    public static DropReason Commit(EspSa sa, ulong sequence, DropReason opened, int innerLength)
    {
        if (!CommitReplay(sa, sequence))
            return DropReason.Replay;
        if (opened == DropReason.None)
            sa.CountPacket(innerLength);
        return opened;
    }

    private static bool CommitReplay(EspSa sa, ulong sequence)
    {
        bool fresh;
        lock (sa.ReplayGate)
            fresh = sa.Replay!.Update(sequence);
        if (!fresh)
            sa.CountReplayDrop();
        return fresh;
    }

    /// <summary>RFC 4106 §5 / RFC 7634 §2.1: AAD is SPI | Sequence Number, or SPI | Seq-hi | Seq-lo with ESN.</summary>
    private static int WriteAad(Span<byte> aad, uint spi, ulong seq, bool esn)
    {
        BinaryPrimitives.WriteUInt32BigEndian(aad, spi);
        if (esn)
        {
            BinaryPrimitives.WriteUInt64BigEndian(aad[4..], seq);
            return 12;
        }
        BinaryPrimitives.WriteUInt32BigEndian(aad[4..], (uint)seq);
        return 8;
    }

    /// <summary>
    /// RFC 4303 §2.2.1 / §3.3.2.1: the ICV covers header, IV and ciphertext (esp[..dataLength]),
    /// and with ESN also the implicit high 32 bits appended after them. The ICV field directly
    /// follows the data, so the high bits are written there temporarily (ICVs are ≥ 8 bytes).
    /// </summary>
    private static void ComputeIcv(EspSa sa, IIntegrityContext mac, Span<byte> esp, int dataLength, ulong seq)
    {
        Span<byte> icv = esp.Slice(dataLength, sa.IcvLength);
        if (!sa.Esn)
        {
            mac.Compute(esp[..dataLength], icv);
            return;
        }
        BinaryPrimitives.WriteUInt32BigEndian(icv, (uint)(seq >> 32));
        Span<byte> tmp = stackalloc byte[MaxIcvLength];
        mac.Compute(esp[..(dataLength + 4)], tmp[..icv.Length]);
        tmp[..icv.Length].CopyTo(icv);
    }

    private static bool VerifyIcv(EspSa sa, IIntegrityContext mac, Span<byte> esp, int dataLength, ulong seq)
    {
        Span<byte> icv = esp.Slice(dataLength, sa.IcvLength);
        if (!sa.Esn)
            return mac.Verify(esp[..dataLength], icv);
        Span<byte> received = stackalloc byte[MaxIcvLength];
        icv.CopyTo(received);
        BinaryPrimitives.WriteUInt32BigEndian(icv, (uint)(seq >> 32));
        return mac.Verify(esp[..(dataLength + 4)], received[..sa.IcvLength]);
    }
}

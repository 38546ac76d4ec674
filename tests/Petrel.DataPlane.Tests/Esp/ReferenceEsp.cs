using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Petrel.DataPlane.Tests.Esp;

/// <summary>
/// An independent, deliberately naive ESP tunnel-mode encoder/decoder written straight from
/// RFC 4303 §2 (packet layout), RFC 4106 §5 (AAD), RFC 3602 (CBC) and RFC 4868 (HMAC), used to
/// check the data plane's output and to feed it packets it did not build.
/// </summary>
internal static class ReferenceEsp
{
    public sealed record Opened(uint Spi, uint Sequence, byte[] Iv, byte[] Inner, int PadLength, byte[] Padding, byte NextHeader);

    /// <summary>Payload ‖ padding 1,2,3,… ‖ Pad Length ‖ Next Header, aligned to align (RFC 4303 §2.4).</summary>
    public static byte[] Trailer(byte[] inner, byte nextHeader, int align, int extraPadBlocks = 0)
    {
        int padLen = (align - (inner.Length + 2) % align) % align + extraPadBlocks * align;
        var pt = new byte[inner.Length + padLen + 2];
        inner.CopyTo(pt, 0);
        for (int i = 0; i < padLen; i++)
            pt[inner.Length + i] = (byte)(i + 1);
        pt[^2] = (byte)padLen;
        pt[^1] = nextHeader;
        return pt;
    }

    public static byte[] Aad(uint spi, ulong seq, bool esn)
    {
        var aad = new byte[esn ? 12 : 8];
        BinaryPrimitives.WriteUInt32BigEndian(aad, spi);
        if (esn)
        {
            BinaryPrimitives.WriteUInt32BigEndian(aad.AsSpan(4), (uint)(seq >> 32));
            BinaryPrimitives.WriteUInt32BigEndian(aad.AsSpan(8), (uint)seq);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(aad.AsSpan(4), (uint)seq);
        }
        return aad;
    }

    public static byte[] SealGcm(byte[] keyAndSalt, uint spi, ulong seq, bool esn, byte[] iv, byte[] plaintextWithTrailer)
    {
        var nonce = keyAndSalt[^4..].Concat(iv).ToArray();
        using var gcm = new AesGcm(keyAndSalt[..^4], 16);
        var ct = new byte[plaintextWithTrailer.Length];
        var tag = new byte[16];
        gcm.Encrypt(nonce, plaintextWithTrailer, ct, tag, Aad(spi, seq, esn));
        return [.. Header(spi, seq), .. iv, .. ct, .. tag];
    }

    public static Opened? OpenGcm(byte[] keyAndSalt, bool esn, ulong expectedSeq, byte[] esp)
    {
        uint spi = BinaryPrimitives.ReadUInt32BigEndian(esp);
        uint seq = BinaryPrimitives.ReadUInt32BigEndian(esp.AsSpan(4));
        var iv = esp[8..16];
        var ct = esp[16..^16];
        var tag = esp[^16..];
        var nonce = keyAndSalt[^4..].Concat(iv).ToArray();
        using var gcm = new AesGcm(keyAndSalt[..^4], 16);
        var pt = new byte[ct.Length];
        try
        {
            gcm.Decrypt(nonce, ct, tag, pt, Aad(spi, esn ? expectedSeq : seq, esn));
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        return Split(spi, seq, iv, pt);
    }

    public static byte[] SealCbcHmac(byte[] encKey, byte[] authKey, HashAlgorithmName hash, int icvLength, uint spi, ulong seq, bool esn, byte[] iv, byte[] plaintextWithTrailer)
    {
        using var aes = Aes.Create();
        aes.Key = encKey;
        var ct = aes.EncryptCbc(plaintextWithTrailer, iv, PaddingMode.None);
        byte[] authenticated = [.. Header(spi, seq), .. iv, .. ct];
        return [.. authenticated, .. Icv(authKey, hash, icvLength, authenticated, seq, esn)];
    }

    public static Opened? OpenCbcHmac(byte[] encKey, byte[] authKey, HashAlgorithmName hash, int icvLength, bool esn, ulong expectedSeq, byte[] esp)
    {
        var authenticated = esp[..^icvLength];
        var icv = esp[^icvLength..];
        if (!Icv(authKey, hash, icvLength, authenticated, expectedSeq, esn).SequenceEqual(icv))
            return null;
        uint spi = BinaryPrimitives.ReadUInt32BigEndian(esp);
        uint seq = BinaryPrimitives.ReadUInt32BigEndian(esp.AsSpan(4));
        var iv = esp[8..24];
        using var aes = Aes.Create();
        aes.Key = encKey;
        var pt = aes.DecryptCbc(esp[24..^icvLength], iv, PaddingMode.None);
        return Split(spi, seq, iv, pt);
    }

    /// <summary>RFC 4303 §2.2.1: with ESN the high 32 bits are appended (not sent) for the ICV.</summary>
    public static byte[] Icv(byte[] authKey, HashAlgorithmName hash, int icvLength, byte[] authenticated, ulong seq, bool esn)
    {
        byte[] data = authenticated;
        if (esn)
        {
            var hi = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(hi, (uint)(seq >> 32));
            data = [.. authenticated, .. hi];
        }
        var mac = hash == HashAlgorithmName.SHA1 ? HMACSHA1.HashData(authKey, data) : HMACSHA256.HashData(authKey, data);
        return mac[..icvLength];
    }

    private static byte[] Header(uint spi, ulong seq)
    {
        var h = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(h, spi);
        BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(4), (uint)seq);
        return h;
    }

    private static Opened Split(uint spi, uint seq, byte[] iv, byte[] pt)
    {
        int padLen = pt[^2];
        byte next = pt[^1];
        int innerLen = pt.Length - 2 - padLen;
        return new Opened(spi, seq, iv, pt[..innerLen], padLen, pt[innerLen..^2], next);
    }
}

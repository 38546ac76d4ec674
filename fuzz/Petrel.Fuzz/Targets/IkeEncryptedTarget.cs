using System.Buffers.Binary;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Primitives;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Wire;

namespace Petrel.Fuzz.Targets;

/// <summary>
/// Payloads inside SK: the input is the padded plaintext of an SK payload (first byte: the first inner payload
/// type; the rest: the inner payloads, padding and pad length), sealed with fixed keys into an IKE_AUTH message
/// and then decoded with the same keys, so the fuzzer reaches what only a peer holding the keys can send.
/// The top bit of the first byte picks AES-CBC + HMAC-SHA-256 (pad length checks) instead of AES-GCM.
/// </summary>
public sealed class IkeEncryptedTarget : IFuzzTarget
{
    private readonly SkCipher _gcm = Cipher("aes128gcm16", null);
    private readonly SkCipher _cbc = Cipher("aes128", "sha256");

    public string Name => "ike-sk";

    public void Run(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2)
            return;
        var cipher = (data[0] & 0x80) != 0 ? _cbc : _gcm;
        var first = (byte)(data[0] & 0x7f);
        var plaintext = data[1..];
        int block = cipher.Encryption.IsAead ? 1 : 16;
        int padded = Math.Max(block, plaintext.Length / block * block);
        var input = new byte[padded];
        plaintext[..Math.Min(padded, plaintext.Length)].CopyTo(input);

        int ivOffset = IkeHeader.Size + IkePayload.HeaderSize;
        var message = new byte[ivOffset + cipher.IvLength + padded + cipher.IcvLength];
        BinaryPrimitives.WriteUInt64BigEndian(message, 0x1122334455667788);
        BinaryPrimitives.WriteUInt64BigEndian(message.AsSpan(8), 0x99aabbccddeeff00);
        message[16] = (byte)PayloadType.Encrypted;
        message[17] = 0x20;
        message[18] = (byte)ExchangeType.IkeAuth;
        message[19] = 0x08; // initiator
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(24), (uint)message.Length);
        message[IkeHeader.Size] = first;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(IkeHeader.Size + 2), (ushort)(message.Length - IkeHeader.Size));
        cipher.SealPadded(message, ivOffset, input);

        var status = IkeMessage.TryDecode(message, cipher, out var decoded, out _);
        if (status == IkeDecodeStatus.Success && decoded is not null)
            PayloadWalk.Visit(decoded);
    }

    private static SkCipher Cipher(string encryption, string? integrity)
    {
        var e = AlgorithmCatalog.FindKeyword(encryption)!.Encryption!;
        var i = integrity is null ? null : AlgorithmCatalog.FindKeyword(integrity)!.Integrity;
        var ek = Enumerable.Range(1, e.KeyLength).Select(x => (byte)x).ToArray();
        var ik = Enumerable.Range(101, i?.KeyLength ?? 0).Select(x => (byte)x).ToArray();
        return new SkCipher(e, ek, i, ik, SystemRandom.Instance);
    }
}

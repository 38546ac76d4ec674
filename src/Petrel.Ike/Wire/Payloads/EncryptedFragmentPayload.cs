using System.Buffers.Binary;

namespace Petrel.Ike.Wire;

//  RFC 7383 §2.5 Encrypted Fragment Payload (SKF)
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C|  RESERVED   |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |        Fragment Number        |        Total Fragments        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                     Initialization Vector                     |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                      Encrypted content                        ~
//  +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |               |             Padding (0-255 octets)            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//                                  |  Pad Length   |
//                                  +-+-+-+-+-+-+-+-+
//  ~                    Integrity Checksum Data                    ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//  Next Payload is the first inner payload type in fragment 1 and zero in the others.

/// <summary>
/// An SKF payload (RFC 7383). When a message is decoded with an <see cref="SkCipher"/>, the fragment is
/// verified and decrypted and <see cref="Content"/> holds its plaintext (padding removed); the engine
/// joins the contents of fragments 1..Total in order and decodes the chain with
/// <see cref="IkeMessage.TryDecodePayloadChain"/>.
/// </summary>
public sealed class EncryptedFragmentPayload(PayloadType firstInnerPayload, ushort fragmentNumber, ushort totalFragments, ReadOnlyMemory<byte> content, bool decrypted) : IkePayload
{
    public override PayloadType Type => PayloadType.EncryptedFragment;
    public PayloadType FirstInnerPayload { get; } = firstInnerPayload;
    public ushort FragmentNumber { get; } = fragmentNumber;
    public ushort TotalFragments { get; } = totalFragments;

    /// <summary>Plaintext fragment when <see cref="IsDecrypted"/>; otherwise IV, ciphertext and ICV.</summary>
    public ReadOnlyMemory<byte> Content { get; } = content;
    public bool IsDecrypted { get; } = decrypted;

    /// <summary>Re-encoding only makes sense for a fragment that was not decrypted; fragments are built by <see cref="IkeMessage.EncodeFragments"/>.</summary>
    public override int BodyLength => 4 + Content.Length;

    public override void WriteBody(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, FragmentNumber);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], TotalFragments);
        Content.Span.CopyTo(destination[4..]);
    }
}

namespace Petrel.Ike.Wire;

//  RFC 7296 §3.14 Encrypted Payload
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C|  RESERVED   |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                     Initialization Vector                     |
//  |         (length is block size for encryption algorithm)       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                    Encrypted IKE Payloads                     ~
//  +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |               |             Padding (0-255 octets)            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//                                  |  Pad Length   |
//                                  +-+-+-+-+-+-+-+-+
//  ~                    Integrity Checksum Data                    ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//  Next Payload is the type of the first inner payload. For AEAD ciphers (RFC 5282 §5) the
//  IV is 8 octets and the ICV is the AEAD tag; the AAD is the IKE header and this generic header.

/// <summary>
/// An SK payload that was not decrypted (the message was decoded without an <see cref="SkCipher"/>).
/// Encrypting is done by <see cref="IkeMessage.Encode(SkCipher)"/>, which wraps all payloads.
/// </summary>
public sealed class EncryptedPayload(PayloadType firstInnerPayload, ReadOnlyMemory<byte> body) : IkePayload
{
    public override PayloadType Type => PayloadType.Encrypted;

    /// <summary>The Next Payload field of the SK header: the type of the first encrypted payload.</summary>
    public PayloadType FirstInnerPayload { get; } = firstInnerPayload;

    /// <summary>IV, ciphertext and ICV.</summary>
    public ReadOnlyMemory<byte> Body { get; } = body;

    public override int BodyLength => Body.Length;
    public override void WriteBody(Span<byte> destination) => Body.Span.CopyTo(destination);
}

namespace Petrel.Ike.Engine;

/// <summary>
/// One row of Wireshark's ikev2_decryption_table: SPIs and keys as lowercase hex,
/// algorithm names as Wireshark's UAT expects them (e.g. "AES-CBC-128 [RFC3602]", "HMAC_SHA2_256_128 [RFC4868]").
/// </summary>
public sealed record IkeV2KeyExport(string InitiatorSpi, string ResponderSpi, string SkEi, string SkEr, string EncryptionAlgorithm, string SkAi, string SkAr, string IntegrityAlgorithm);

/// <summary>One row of Wireshark's esp_sa table.</summary>
public sealed record EspKeyExport(string Protocol, string SourceAddress, string DestinationAddress, string Spi, string EncryptionAlgorithm, string EncryptionKey, string AuthenticationAlgorithm, string AuthenticationKey);

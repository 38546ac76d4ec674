using System.Security.Cryptography;

namespace Petrel.Ike.Keying;

/// <summary>
/// KEYMAT of a CHILD_SA split as RFC 7296 §2.17 orders it: encryption then integrity key for the SA carrying
/// traffic from the initiator (of the exchange that created the CHILD_SA) to the responder, then the same for
/// the other direction. Integrity keys are empty for AEAD. Dispose zeroes them.
/// </summary>
public sealed class ChildSaKeys(byte[] encryptionInitiatorToResponder, byte[] integrityInitiatorToResponder, byte[] encryptionResponderToInitiator, byte[] integrityResponderToInitiator) : IDisposable
{
    public byte[] EncryptionInitiatorToResponder { get; } = encryptionInitiatorToResponder;
    public byte[] IntegrityInitiatorToResponder { get; } = integrityInitiatorToResponder;
    public byte[] EncryptionResponderToInitiator { get; } = encryptionResponderToInitiator;
    public byte[] IntegrityResponderToInitiator { get; } = integrityResponderToInitiator;

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(EncryptionInitiatorToResponder);
        CryptographicOperations.ZeroMemory(IntegrityInitiatorToResponder);
        CryptographicOperations.ZeroMemory(EncryptionResponderToInitiator);
        CryptographicOperations.ZeroMemory(IntegrityResponderToInitiator);
    }
}

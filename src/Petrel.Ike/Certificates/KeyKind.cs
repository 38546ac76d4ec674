namespace Petrel.Ike.Certificates;

/// <summary>The public-key algorithms Petrel signs and verifies IKEv2 AUTH payloads with.</summary>
public enum KeyKind
{
    Rsa,
    Ecdsa,
    Ed25519,
}

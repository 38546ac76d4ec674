namespace Petrel.Crypto.Primitives;

/// <summary>Source of randomness (nonces, SPIs, IVs, DH private keys). Tests substitute a seeded one.</summary>
public interface IRandom
{
    void Fill(Span<byte> destination);
}

/// <summary>The OS CSPRNG.</summary>
public sealed class SystemRandom : IRandom
{
    public static readonly SystemRandom Instance = new();
    public void Fill(Span<byte> destination) => System.Security.Cryptography.RandomNumberGenerator.Fill(destination);
}

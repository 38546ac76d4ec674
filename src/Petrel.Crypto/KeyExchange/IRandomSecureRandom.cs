using Org.BouncyCastle.Security;
using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.KeyExchange;

/// <summary>Lets BouncyCastle draw its randomness from an <see cref="IRandom"/>, so tests stay reproducible.</summary>
internal sealed class IRandomSecureRandom(IRandom random) : SecureRandom
{
    public override void NextBytes(byte[] buf) => random.Fill(buf);
    public override void NextBytes(byte[] buf, int off, int len) => random.Fill(buf.AsSpan(off, len));
    public override void NextBytes(Span<byte> buffer) => random.Fill(buffer);
}

using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="AuthRoundsInteropTests"/>, with Petrel (right) and charon (left) kept across its tests.</summary>
public sealed class AuthRoundsInteropLab : LabFixture
{
    private PeerPair? _peers;

    protected override string Tag => "rnd";

    public PeerPair Peers => _peers ??= new PeerPair(Lab, Lab.Right, Lab.Left);
}

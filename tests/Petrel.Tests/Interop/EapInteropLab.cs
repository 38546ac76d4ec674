using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="EapInteropTests"/>, with Petrel (right) and charon (left) kept across its tests.</summary>
public sealed class EapInteropLab : LabFixture
{
    private PeerPair? _peers;

    protected override string Tag => "eap";

    public PeerPair Peers => _peers ??= new PeerPair(Lab, Lab.Right, Lab.Left);
}

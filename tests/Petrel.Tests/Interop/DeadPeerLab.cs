using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="DeadPeerInteropTests"/>.</summary>
public sealed class DeadPeerLab : LabFixture
{
    protected override string Tag => "dpd";
}

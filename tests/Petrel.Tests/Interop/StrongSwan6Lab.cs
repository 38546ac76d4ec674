using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="StrongSwan6InteropTests"/>.</summary>
public sealed class StrongSwan6Lab : LabFixture
{
    protected override string Tag => "sw6";
}

using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="PetrelInitiatesToStrongSwanTests"/>.</summary>
public sealed class PetrelInitiatesLab : LabFixture
{
    protected override string Tag => "pi";
}

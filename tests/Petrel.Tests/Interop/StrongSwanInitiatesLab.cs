using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="StrongSwanInitiatesToPetrelTests"/>.</summary>
public sealed class StrongSwanInitiatesLab : LabFixture
{
    protected override string Tag => "si";
}

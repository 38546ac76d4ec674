using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="HostileInputTests"/>.</summary>
public sealed class HostileInputLab : LabFixture
{
    protected override string Tag => "hi";
}

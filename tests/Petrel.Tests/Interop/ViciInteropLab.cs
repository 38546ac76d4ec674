using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="ViciInteropTests"/>.</summary>
public sealed class ViciInteropLab : LabFixture
{
    protected override string Tag => "vc";
}

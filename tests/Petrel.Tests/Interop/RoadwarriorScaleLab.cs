using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="RoadwarriorScaleTests"/>.</summary>
public sealed class RoadwarriorScaleLab : LabFixture
{
    protected override string Tag => "rws";
}

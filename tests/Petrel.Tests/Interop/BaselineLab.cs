using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="StrongSwanBaselineTests"/>.</summary>
public sealed class BaselineLab : LabFixture
{
    protected override string Tag => "sw";
}

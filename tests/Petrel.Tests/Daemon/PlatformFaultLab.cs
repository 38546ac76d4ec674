using Petrel.Tests.Harness;

namespace Petrel.Tests.Daemon;

/// <summary>The namespace pair of <see cref="PlatformFaultTests"/>.</summary>
public sealed class PlatformFaultLab : LabFixture
{
    protected override string Tag => "flt";
}

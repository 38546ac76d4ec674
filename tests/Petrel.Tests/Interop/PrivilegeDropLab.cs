using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="PrivilegeDropInteropTests"/>.</summary>
public sealed class PrivilegeDropLab : LabFixture
{
    protected override string Tag => "pd";
}

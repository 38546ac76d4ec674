using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="RemoteAccessInteropTests"/>.</summary>
public sealed class RemoteAccessLab : LabFixture
{
    protected override string Tag => "ra";
}

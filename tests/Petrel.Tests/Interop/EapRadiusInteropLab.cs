using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="EapRadiusInteropTests"/>: strongSwan (left) as the roadwarrior, Petrel (right) as the gateway, FreeRADIUS beside Petrel.</summary>
public sealed class EapRadiusInteropLab : LabFixture
{
    protected override string Tag => "rad";
}

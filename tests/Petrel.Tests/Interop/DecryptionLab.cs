using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="WiresharkDecryptionTests"/>.</summary>
public sealed class DecryptionLab : LabFixture
{
    protected override string Tag => "wd";
}

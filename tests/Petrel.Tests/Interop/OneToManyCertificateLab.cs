using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="OneToManyCertificateTests"/>.</summary>
public sealed class OneToManyCertificateLab : LabFixture
{
    protected override string Tag => "om";
}

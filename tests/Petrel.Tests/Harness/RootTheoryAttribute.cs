namespace Petrel.Tests.Harness;

/// <summary>A theory that needs root and network namespaces; see <see cref="LabRequirements"/>.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        Skip = LabRequirements.SkipReason();
    }
}

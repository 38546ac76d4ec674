namespace Petrel.Tests.Harness;

/// <summary>A fact that needs root and network namespaces; see <see cref="LabRequirements"/>.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        Skip = LabRequirements.SkipReason();
    }
}

namespace Petrel.DataPlane.Tests.Platform;

/// <summary>A theory that needs root (namespaces, TUN); skipped with a reason otherwise.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute() => Skip = RootFactAttribute.SkipReason();
}

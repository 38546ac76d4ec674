namespace Petrel.Demo;

/// <summary>What `petrel demo` was asked to do.</summary>
public sealed record DemoOptions(int Megabytes, bool Keep)
{
    public const string NamespaceA = "petrel-demo-a";
    public const string NamespaceB = "petrel-demo-b";
}

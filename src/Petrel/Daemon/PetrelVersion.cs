using System.Reflection;

namespace Petrel.Daemon;

/// <summary>The version string "petrel version" and the daemon report.</summary>
public static class PetrelVersion
{
    public static string Text { get; } =
        typeof(PetrelVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(PetrelVersion).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";
}

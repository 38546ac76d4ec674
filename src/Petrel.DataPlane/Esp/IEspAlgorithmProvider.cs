using Petrel.DataPlane.Kernel;

namespace Petrel.DataPlane.Esp;

/// <summary>
/// Maps an SA's transforms to crypto primitives. The default reads Petrel.Crypto's
/// AlgorithmCatalog; tests substitute their own.
/// </summary>
public interface IEspAlgorithmProvider
{
    /// <summary>False (with a reason for the log) when a transform is unknown or not usable for ESP.</summary>
    bool TryResolve(SaSpec sa, out EspAlgorithms algorithms, out string? error);
}

using Petrel.DataPlane.Kernel;

namespace Petrel.DataPlane.Pipeline;

/// <summary>
/// Steers the host's traffic for protect and discard policies into the tunnel device, as
/// strongSwan does with its routes in table 220, and keeps bypass traffic on the path it had.
/// Called for every policy action. Implemented in Petrel.Platform; called on the IKE thread.
/// </summary>
public interface IRouteController
{
    void PolicyInstalled(PolicySpec policy);

    void PolicyRemoved(PolicySpec policy);
}

using Petrel.DataPlane.Kernel;

namespace Petrel.DataPlane.Pipeline;

/// <summary>
/// Steers the host's traffic for a protect policy into the tunnel device, as strongSwan does with
/// its routes in table 220. Implemented in Petrel.Platform; called on the IKE thread.
/// </summary>
public interface IRouteController
{
    void PolicyInstalled(PolicySpec policy);

    void PolicyRemoved(PolicySpec policy);
}

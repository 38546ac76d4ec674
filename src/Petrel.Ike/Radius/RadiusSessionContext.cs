using System.Net;
using System.Net.Sockets;

namespace Petrel.Ike.Radius;

/// <summary>
/// Who asks, in the attributes strongSwan's eap-radius sends too: NAS-Port (the IKE SA's unique id),
/// NAS-Port-Type Virtual (5), Service-Type Framed (2), NAS-IP(v6)-Address (our IKE address),
/// Called-Station-Id (our address and port) and Calling-Station-Id (the client's).
/// </summary>
public sealed record RadiusSessionContext(uint NasPort, IPEndPoint Local, IPEndPoint Remote)
{
    public const uint NasPortTypeVirtual = 5, ServiceTypeFramed = 2;

    public IEnumerable<RadiusAttribute> AccessAttributes()
    {
        yield return RadiusAttribute.Integer(RadiusAttributeType.NasPortType, NasPortTypeVirtual);
        yield return RadiusAttribute.Integer(RadiusAttributeType.NasPort, NasPort);
        yield return RadiusAttribute.Integer(RadiusAttributeType.ServiceType, ServiceTypeFramed);
        yield return Local.AddressFamily == AddressFamily.InterNetwork
            ? new RadiusAttribute(RadiusAttributeType.NasIpAddress, Local.Address.GetAddressBytes())
            : new RadiusAttribute(RadiusAttributeType.NasIpv6Address, Local.Address.GetAddressBytes());
        yield return RadiusAttribute.Text(RadiusAttributeType.CalledStationId, Station(Local));
        yield return RadiusAttribute.Text(RadiusAttributeType.CallingStationId, Station(Remote));
    }

    private static string Station(IPEndPoint e) => $"{e.Address}[{e.Port}]";
}

using System.Text;

namespace Petrel.Ike.Eap;

/// <summary>
/// The peer's whole EAP conversation (RFC 3748 §2): answers EAP-Identity with our identity and Notification with an
/// empty Notification, takes the first method request that is allowed (the configured one, or any we can do with
/// auth = eap) and answers any other with a Nak naming ours (§5.3.1); then relays to the method.
/// </summary>
public sealed class EapPeerSession(string identity, EapType? wanted, Func<EapType, IEapPeer?> createMethod)
{
    public string Identity => identity;
    public IEapPeer? Method { get; private set; }

    /// <summary>Answers one Request; Success and Failure are the IKE layer's to judge.</summary>
    public EapPeerStep Process(EapPacket request)
    {
        if (request.Code != EapCode.Request)
            return EapPeerStep.Fail($"expected an EAP Request, received {request}");
        switch (request.Type)
        {
            case EapType.Identity:
                return EapPeerStep.Send(EapPacket.Response(request.Identifier, EapType.Identity, Encoding.UTF8.GetBytes(identity)));
            case EapType.Notification:
                // §5.2: the peer acknowledges a Notification with an empty one.
                return EapPeerStep.Send(EapPacket.Response(request.Identifier, EapType.Notification, []));
        }
        if (Method is null)
        {
            var method = wanted is { } w && w != request.Type ? null : createMethod(request.Type);
            if (method is null)
                return EapPeerStep.Send(EapPacket.Response(request.Identifier, EapType.Nak, [(byte)(wanted ?? EapType.None)]));
            Method = method;
        }
        else if (request.Type != Method.Type)
        {
            return EapPeerStep.Fail($"{EapTypeNames.Of(request.Type)} request in the middle of {EapTypeNames.Of(Method.Type)}");
        }
        return Method.Process(request);
    }
}

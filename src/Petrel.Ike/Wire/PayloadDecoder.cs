namespace Petrel.Ike.Wire;

/// <summary>Maps a payload type and body to its payload class (RFC 7296 §3.2 type numbers).</summary>
public static class PayloadDecoder
{
    /// <summary>
    /// Decodes one payload body. Types Petrel does not implement become an <see cref="UnknownPayload"/>
    /// (with the critical bit) rather than an error, so the engine can apply RFC 7296 §2.5.
    /// SK and SKF are handled by <see cref="IkeMessage"/>.
    /// </summary>
    public static bool TryDecode(PayloadType type, bool critical, ReadOnlySpan<byte> body, out IkePayload? payload, out string error)
    {
        bool ok;
        IkePayload? p;
        switch (type)
        {
            case PayloadType.SecurityAssociation:
                ok = SecurityAssociationPayload.TryDecode(body, out var sa, out error); p = sa; break;
            case PayloadType.KeyExchange:
                ok = KeyExchangePayload.TryDecode(body, out var ke, out error); p = ke; break;
            case PayloadType.IdentificationInitiator:
            case PayloadType.IdentificationResponder:
                ok = IdentificationPayload.TryDecode(type, body, out var id, out error); p = id; break;
            case PayloadType.Certificate:
                ok = CertificatePayload.TryDecode(body, out var cert, out error); p = cert; break;
            case PayloadType.CertificateRequest:
                ok = CertificateRequestPayload.TryDecode(body, out var certreq, out error); p = certreq; break;
            case PayloadType.Authentication:
                ok = AuthenticationPayload.TryDecode(body, out var auth, out error); p = auth; break;
            case PayloadType.Nonce:
                ok = NoncePayload.TryDecode(body, out var nonce, out error); p = nonce; break;
            case PayloadType.Notify:
                ok = NotifyPayload.TryDecode(body, out var notify, out error); p = notify; break;
            case PayloadType.Delete:
                ok = DeletePayload.TryDecode(body, out var delete, out error); p = delete; break;
            case PayloadType.VendorId:
                ok = VendorIdPayload.TryDecode(body, out var vid, out error); p = vid; break;
            case PayloadType.TrafficSelectorInitiator:
            case PayloadType.TrafficSelectorResponder:
                ok = TrafficSelectorPayload.TryDecode(type, body, out var ts, out error); p = ts; break;
            case PayloadType.Configuration:
                ok = ConfigurationPayload.TryDecode(body, out var cp, out error); p = cp; break;
            case PayloadType.Eap:
                ok = EapPayload.TryDecode(body, out var eap, out error); p = eap; break;
            default:
                p = new UnknownPayload(type, body.ToArray()) { Critical = critical };
                payload = p;
                error = "";
                return true;
        }
        if (!ok)
        {
            payload = null;
            return false;
        }
        // Known payload types ignore the critical bit on receipt (§3.2) but keep it for byte-exact re-encoding.
        p!.Critical = critical;
        payload = p;
        return true;
    }
}

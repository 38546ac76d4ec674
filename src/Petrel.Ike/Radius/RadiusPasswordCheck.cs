namespace Petrel.Ike.Radius;

/// <summary>
/// A user name and password checked by a RADIUS server (PAP, RFC 2865 §2.2): one Access-Request with User-Name,
/// User-Password hidden with the server's secret (§5.2), the attributes of <see cref="RadiusSessionContext"/> and a
/// Message-Authenticator, as strongSwan's eap-radius does for XAuth (auth = xauth-radius). Access-Accept gives the same
/// outcome as an EAP conversation's (Framed-IP-Address, DNS, Class, intervals; no MSK); Access-Reject the reason, with
/// the server's Reply-Message; Access-Challenge (more rounds) is refused, as strongSwan refuses it.
/// </summary>
public static class RadiusPasswordCheck
{
    public static async Task<RadiusEapOutcome> VerifyAsync(RadiusClient client, string userName, byte[] password, RadiusSessionContext context,
        CancellationToken cancellationToken = default)
    {
        // User-Password pads with zero octets, so a password cannot hold one: some clients send C strings (strongSwan trims them too).
        int end = Array.IndexOf(password, (byte)0);
        var secret = end < 0 ? password : password[..end];
        if (secret.Length > RadiusUserPassword.MaxLength)
            return new RadiusEapOutcome(RadiusEapStatus.Failed, null, $"the password of '{userName}' is longer than the {RadiusUserPassword.MaxLength} octets RADIUS carries");
        var attributes = new List<RadiusAttribute> { RadiusAttribute.Text(RadiusAttributeType.UserName, userName) };
        attributes.AddRange(context.AccessAttributes());
        var reply = await client.ExchangeAsync(RadiusCode.AccessRequest, attributes, null, cancellationToken,
            (server, authenticator) => [new RadiusAttribute(RadiusAttributeType.UserPassword, RadiusUserPassword.Hide(secret, server.Secret, authenticator))])
            .ConfigureAwait(false);
        if (reply.Response is not { } response)
            return new RadiusEapOutcome(RadiusEapStatus.Failed, null, reply.Error);
        string? message = response.Find(RadiusAttributeType.ReplyMessage) is { } m ? System.Text.Encoding.UTF8.GetString(m.Value) : null;
        return response.Code switch
        {
            RadiusCode.AccessAccept => new RadiusEapOutcome(RadiusEapStatus.Accept, null, "")
            {
                FramedIp = RadiusEapConversation.FramedIp(response),
                Dns = RadiusEapConversation.DnsServers(response),
                Classes = [.. response.Attributes.Where(a => a.Type == RadiusAttributeType.Class).Select(a => a.Value)],
                InterimInterval = RadiusEapConversation.Seconds(response, RadiusAttributeType.AcctInterimInterval),
                SessionTimeout = RadiusEapConversation.Seconds(response, RadiusAttributeType.SessionTimeout),
                Server = reply.Server,
            },
            RadiusCode.AccessChallenge => new RadiusEapOutcome(RadiusEapStatus.Reject, null,
                $"{reply.Server} answered '{userName}' with an Access-Challenge; XAuth through RADIUS takes one password only") { Server = reply.Server },
            _ => new RadiusEapOutcome(RadiusEapStatus.Reject, null,
                $"{reply.Server} rejected '{userName}' (Access-Reject{(message is null ? "" : $": {message}")})") { Server = reply.Server },
        };
    }
}

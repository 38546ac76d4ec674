using System.Net;
using System.Net.Sockets;

namespace Petrel.Ike.Radius;

/// <summary>
/// EAP pass-through for one client (RFC 3579 §2.1): each EAP response from the client goes to the RADIUS
/// server in an Access-Request with EAP-Message, Message-Authenticator and the State of the last challenge;
/// the server's EAP request comes back in an Access-Challenge, and the conversation ends with Access-Accept
/// (EAP-Success, MPPE keys) or Access-Reject. The first request goes to any server (failover), the rest to
/// the server that answered it, which holds the conversation's state.
/// </summary>
public sealed class RadiusEapConversation(RadiusClient client, string userName, RadiusSessionContext context)
{
    private byte[]? _state;
    private RadiusServer? _server;

    public string UserName { get; } = userName;
    public RadiusServer? Server => _server;

    public async Task<RadiusEapOutcome> ForwardAsync(byte[] eapResponse, CancellationToken cancellationToken = default)
    {
        var attributes = new List<RadiusAttribute> { RadiusAttribute.Text(RadiusAttributeType.UserName, UserName) };
        attributes.AddRange(context.AccessAttributes());
        if (_state is not null)
            attributes.Add(new RadiusAttribute(RadiusAttributeType.State, _state));
        var request = new RadiusPacket(RadiusCode.AccessRequest, 0, new byte[16], attributes).AddEapMessage(eapResponse);

        var reply = await client.ExchangeAsync(RadiusCode.AccessRequest, request.Attributes, _server, cancellationToken).ConfigureAwait(false);
        if (reply.Response is not { } response)
            return new RadiusEapOutcome(RadiusEapStatus.Failed, null, reply.Error);
        _server = reply.Server;
        var eap = response.EapMessage();
        string? message = response.Find(RadiusAttributeType.ReplyMessage) is { } m ? System.Text.Encoding.UTF8.GetString(m.Value) : null;
        switch (response.Code)
        {
            case RadiusCode.AccessChallenge:
                if (eap is null)
                    return new RadiusEapOutcome(RadiusEapStatus.Failed, null, $"{reply.Server}: Access-Challenge without EAP-Message");
                _state = response.Find(RadiusAttributeType.State)?.Value;
                return new RadiusEapOutcome(RadiusEapStatus.Challenge, eap, "") { Server = reply.Server };
            case RadiusCode.AccessAccept:
                var (framedV6, v6Source) = FramedIpv6(response);
                return new RadiusEapOutcome(RadiusEapStatus.Accept, eap, "")
                {
                    Msk = Msk(response, reply),
                    FramedIp = FramedIp(response),
                    FramedIpv6 = framedV6,
                    FramedIpv6Source = v6Source,
                    Dns = DnsServers(response),
                    Classes = [.. response.Attributes.Where(a => a.Type == RadiusAttributeType.Class).Select(a => a.Value)],
                    InterimInterval = Seconds(response, RadiusAttributeType.AcctInterimInterval),
                    SessionTimeout = Seconds(response, RadiusAttributeType.SessionTimeout),
                    Server = reply.Server,
                };
            default:
                return new RadiusEapOutcome(RadiusEapStatus.Reject, eap,
                    $"{reply.Server} rejected '{UserName}' (Access-Reject{(message is null ? "" : $": {message}")})") { Server = reply.Server };
        }
    }

    private static byte[]? Msk(RadiusPacket response, RadiusReply reply)
    {
        var recv = response.FindVendor(RadiusAttributeType.MicrosoftVendorId, RadiusAttributeType.MsMppeRecvKey);
        var send = response.FindVendor(RadiusAttributeType.MicrosoftVendorId, RadiusAttributeType.MsMppeSendKey);
        if (recv is null || send is null)
            return null;
        if (!MppeKey.TryDecrypt(recv, reply.Server!.Secret, reply.RequestAuthenticator, out var r)
            || !MppeKey.TryDecrypt(send, reply.Server.Secret, reply.RequestAuthenticator, out var s))
            return null;
        return [.. r, .. s];
    }

    internal static IPAddress? FramedIp(RadiusPacket response)
    {
        // 255.255.255.254 asks the NAS to pick an address and 255.255.255.255 lets the user choose (RFC 2865 §5.8): both mean "use the pool".
        if (response.Find(RadiusAttributeType.FramedIpAddress) is not { Value.Length: 4 } a)
            return null;
        var ip = new IPAddress(a.Value);
        return ip.Equals(IPAddress.Broadcast) || ip.Equals(IPAddress.Parse("255.255.255.254")) ? null : ip;
    }

    /// <summary>
    /// Framed-IPv6-Address (RFC 6911: 16 octets), else a Framed-IPv6-Prefix of length 128 (RFC 3162 §2.3: reserved,
    /// prefix length, prefix): one address for the client. A shorter prefix names a delegated network, not the
    /// client's address, so it leaves the IPv6 address to the pools.
    /// </summary>
    internal static (IPAddress? Address, string Source) FramedIpv6(RadiusPacket response)
    {
        if (response.Find(RadiusAttributeType.FramedIpv6Address) is { Value.Length: 16 } a)
            return (new IPAddress(a.Value), "Framed-IPv6-Address");
        foreach (var p in response.Attributes)
        {
            if (p.Type != RadiusAttributeType.FramedIpv6Prefix || p.Value.Length != 18 || p.Value[1] != 128) continue;
            return (new IPAddress(p.Value.AsSpan(2, 16)), "Framed-IPv6-Prefix");
        }
        return (null, "Framed-IPv6-Address");
    }

    internal static List<IPAddress> DnsServers(RadiusPacket response)
    {
        var list = new List<IPAddress>();
        foreach (byte type in (ReadOnlySpan<byte>)[RadiusAttributeType.MsPrimaryDnsServer, RadiusAttributeType.MsSecondaryDnsServer])
        {
            if (response.FindVendor(RadiusAttributeType.MicrosoftVendorId, type) is { Length: 4 } v)
                list.Add(new IPAddress(v));
        }
        return list;
    }

    internal static TimeSpan? Seconds(RadiusPacket response, byte type) =>
        response.Find(type) is { } a && a.TryGetInteger(out uint s) && s > 0 ? TimeSpan.FromSeconds(s) : null;
}

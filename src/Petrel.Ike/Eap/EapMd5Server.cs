using System.Security.Cryptography;
using System.Text;

namespace Petrel.Ike.Eap;

/// <summary>EAP-MD5 as authenticator: one challenge, one answer checked against the user's eap- secret.</summary>
public sealed class EapMd5Server(EapServerContext context) : IEapServer
{
    private readonly byte[] _challenge = new byte[EapMd5.ChallengeLength];
    private byte _identifier = context.FirstIdentifier;
    private bool _started;

    public string Name => "EAP-MD5";
    public ReadOnlyMemory<byte> Msk => ReadOnlyMemory<byte>.Empty;

    public EapServerStep Start()
    {
        context.Random(_challenge);
        _started = true;
        return EapServerStep.Send(EapPacket.Request(_identifier, EapType.Md5Challenge, EapMd5.Encode(_challenge, Encoding.UTF8.GetBytes(context.ServerIdentity))));
    }

    public EapServerStep Process(EapPacket response)
    {
        if (!_started || response.Identifier != _identifier)
            return EapServerStep.Fail(_identifier, $"EAP-MD5 response with identifier {response.Identifier}, expected {_identifier}");
        if (!EapMd5.TryDecode(response.Data, out var value) || value.Length != EapMd5.ChallengeLength)
            return EapServerStep.Fail(_identifier, "malformed EAP-MD5 response");
        var secret = context.FindSecret(context.PeerIdentity);
        if (secret?.Password is null)
            return EapServerStep.Fail(_identifier, $"no EAP secret found for '{context.PeerIdentity}'");
        var expected = EapMd5.Answer(_identifier, secret.Password, _challenge);
        if (!CryptographicOperations.FixedTimeEquals(expected, value))
            return EapServerStep.Fail(_identifier, $"EAP-MD5 verification of '{context.PeerIdentity}' failed (wrong password)");
        return EapServerStep.Succeed(_identifier);
    }
}

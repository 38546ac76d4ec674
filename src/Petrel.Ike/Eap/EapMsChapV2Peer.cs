using System.Security.Cryptography;
using System.Text;

namespace Petrel.Ike.Eap;

/// <summary>
/// EAP-MSCHAPv2 as peer: answers the Challenge with an NT-Response (RFC 2759 §8.1), checks the authenticator's
/// "S=" response (§8.7, mutual authentication) and acknowledges it; a Failure Request is acknowledged and its
/// error kept for the log.
/// </summary>
public sealed class EapMsChapV2Peer(EapPeerContext context) : IEapPeer
{
    private byte[]? _ntHash, _ntResponse, _expectedAuthenticator;
    private byte[] _msk = [];

    public EapType Type => EapType.MsChapV2;
    public ReadOnlyMemory<byte> Msk => _msk;
    public bool Completed { get; private set; }
    public string Refusal { get; private set; } = "";

    public EapPeerStep Process(EapPacket request)
    {
        if (!EapMsChapV2Message.TryRead(request.Data, out var opCode, out byte msChapId, out var data))
            return EapPeerStep.Fail("malformed EAP-MSCHAPv2 request");
        switch (opCode)
        {
            case MsChapV2OpCode.Challenge:
                return Answer(request.Identifier, msChapId, data);
            case MsChapV2OpCode.Success when _expectedAuthenticator is not null:
                return CheckSuccess(request.Identifier, data);
            case MsChapV2OpCode.Failure:
                string message = Encoding.ASCII.GetString(data);
                Refusal = $"EAP-MSCHAPv2 failed with error {EapMsChapV2Message.Field(message, 'E') ?? "?"}: '{Printable(EapMsChapV2Message.Field(message, 'M') ?? "")}'";
                return EapPeerStep.Send(EapPacket.Response(request.Identifier, EapType.MsChapV2, [(byte)MsChapV2OpCode.Failure]));
            default:
                return EapPeerStep.Fail($"unexpected EAP-MSCHAPv2 {opCode} request");
        }
    }

    private EapPeerStep Answer(byte identifier, byte msChapId, ReadOnlySpan<byte> data)
    {
        if (data.Length < 1 + MsChapV2.ChallengeLength || data[0] != MsChapV2.ChallengeLength)
            return EapPeerStep.Fail("malformed EAP-MSCHAPv2 challenge (Value-Size is not 16)");
        if (context.Secret is null)
            return EapPeerStep.Fail($"no EAP secret found for '{context.Identity}' - '{context.ServerIdentity}'");
        var challenge = data.Slice(1, MsChapV2.ChallengeLength);
        var peerChallenge = new byte[16];
        context.Random(peerChallenge);
        _ntHash = context.Secret.NtHash();
        _ntResponse = MsChapV2.NtResponse(challenge, peerChallenge, context.Identity, _ntHash);
        _expectedAuthenticator = MsChapV2.AuthenticatorResponse(_ntHash, _ntResponse, peerChallenge, challenge, context.Identity);
        var name = Encoding.UTF8.GetBytes(context.Identity);
        var value = new byte[1 + EapMsChapV2Message.ResponseValueSize + name.Length];
        value[0] = EapMsChapV2Message.ResponseValueSize;
        peerChallenge.CopyTo(value, 1);
        _ntResponse.CopyTo(value, 1 + 16 + 8);
        name.CopyTo(value, 1 + EapMsChapV2Message.ResponseValueSize);
        return EapPeerStep.Send(EapPacket.Response(identifier, EapType.MsChapV2, EapMsChapV2Message.Build(MsChapV2OpCode.Response, msChapId, value)));
    }

    private EapPeerStep CheckSuccess(byte identifier, ReadOnlySpan<byte> data)
    {
        string message = Encoding.ASCII.GetString(data);
        string? s = EapMsChapV2Message.Field(message, 'S');
        byte[]? received = null;
        if (s is { Length: 40 })
        {
            try { received = Convert.FromHexString(s); } catch (FormatException) { }
        }
        if (received is null)
            return EapPeerStep.Fail("EAP-MSCHAPv2 Success without a valid authenticator response");
        // RFC 2759 §5: the authenticator proves it knows the password too.
        if (!CryptographicOperations.FixedTimeEquals(received, _expectedAuthenticator))
            return EapPeerStep.Fail("EAP-MSCHAPv2 authenticator response does not verify: the server does not know our password");
        _msk = MsChapV2.Msk(_ntHash!, _ntResponse!);
        Completed = true;
        // The Success Response is the OpCode alone.
        return EapPeerStep.Send(EapPacket.Response(identifier, EapType.MsChapV2, [(byte)MsChapV2OpCode.Success]));
    }

    private static string Printable(string text)
    {
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (char.IsControl(chars[i])) chars[i] = '?';
        return new string(chars);
    }
}

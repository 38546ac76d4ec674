using System.Security.Cryptography;
using System.Text;

namespace Petrel.Ike.Eap;

/// <summary>
/// EAP-MSCHAPv2 as authenticator: Challenge, the peer's Response checked against the user's password or NT hash
/// (RFC 2759 §8.1), Success with the authenticator response (§8.7) or Failure with E=691, then the MSK (RFC 3079).
/// </summary>
public sealed class EapMsChapV2Server(EapServerContext context) : IEapServer
{
    private enum State { Idle, ExpectResponse, ExpectSuccessAck, ExpectFailureAck }

    private const string HostName = "petrel";
    private readonly byte[] _challenge = new byte[MsChapV2.ChallengeLength];
    private byte _identifier = context.FirstIdentifier;
    private byte _msChapId;
    private State _state;
    private byte[] _msk = [];
    private string _refusal = "";

    public string Name => "EAP-MSCHAPv2";
    public ReadOnlyMemory<byte> Msk => _msk;

    public EapServerStep Start()
    {
        context.Random(_challenge);
        _msChapId = _identifier;
        var data = new byte[1 + _challenge.Length + HostName.Length];
        data[0] = MsChapV2.ChallengeLength;
        _challenge.CopyTo(data, 1);
        Encoding.ASCII.GetBytes(HostName).CopyTo(data, 1 + _challenge.Length);
        _state = State.ExpectResponse;
        return Send(MsChapV2OpCode.Challenge, data);
    }

    public EapServerStep Process(EapPacket response)
    {
        if (response.Identifier != _identifier)
            return EapServerStep.Fail(response.Identifier, $"EAP-MSCHAPv2 response with identifier {response.Identifier}, expected {_identifier}");
        if (!EapMsChapV2Message.TryRead(response.Data, out var opCode, out _, out var data))
            return EapServerStep.Fail(_identifier, "malformed EAP-MSCHAPv2 response");
        switch (_state, opCode)
        {
            case (State.ExpectResponse, MsChapV2OpCode.Response):
                return CheckResponse(data);
            case (State.ExpectSuccessAck, MsChapV2OpCode.Success):
                return EapServerStep.Succeed(_identifier);
            case (State.ExpectFailureAck, _):
                return EapServerStep.Fail(_identifier, _refusal);
            case (_, MsChapV2OpCode.Failure):
                return EapServerStep.Fail(_identifier, "the peer aborted EAP-MSCHAPv2");
            default:
                return EapServerStep.Fail(_identifier, $"unexpected EAP-MSCHAPv2 {opCode} in state {_state}");
        }
    }

    private EapServerStep CheckResponse(ReadOnlySpan<byte> data)
    {
        if (data.Length < 1 + EapMsChapV2Message.ResponseValueSize || data[0] != EapMsChapV2Message.ResponseValueSize)
            return EapServerStep.Fail(_identifier, "malformed EAP-MSCHAPv2 response (Value-Size is not 49)");
        var peerChallenge = data.Slice(1, 16);
        var ntResponse = data.Slice(1 + 16 + 8, MsChapV2.NtResponseLength);
        string name = Encoding.UTF8.GetString(data[(1 + EapMsChapV2Message.ResponseValueSize)..]);
        // The hash covers the user name the peer typed (its Name field); the secret belongs to the identity it authenticated as.
        string user = name.Length > 0 ? name : context.PeerIdentity;
        var secret = context.FindSecret(context.PeerIdentity);
        if (secret is null)
            return Refuse($"no EAP secret found for '{context.PeerIdentity}'");
        var ntHash = secret.NtHash();
        var expected = MsChapV2.NtResponse(_challenge, peerChallenge, user, ntHash);
        if (!CryptographicOperations.FixedTimeEquals(expected, ntResponse))
            return Refuse($"EAP-MSCHAPv2 verification of '{context.PeerIdentity}' failed (wrong password)");
        var authenticator = MsChapV2.AuthenticatorResponse(ntHash, ntResponse, peerChallenge, _challenge, user);
        _msk = MsChapV2.Msk(ntHash, ntResponse);
        _state = State.ExpectSuccessAck;
        _identifier++;
        return Send(MsChapV2OpCode.Success, Encoding.ASCII.GetBytes(MsChapV2.AuthenticatorResponseText(authenticator) + " M=Welcome to Petrel"));
    }

    /// <summary>A Failure Request with E=691 (ERROR_AUTHENTICATION_FAILURE), not retryable; the EAP-Failure follows the peer's answer.</summary>
    private EapServerStep Refuse(string reason)
    {
        _refusal = reason;
        _state = State.ExpectFailureAck;
        _identifier++;
        string message = $"E=691 R=0 C={Convert.ToHexString(_challenge)} V=3 M=Authentication failed";
        return EapServerStep.Send(EapPacket.Request(_identifier, EapType.MsChapV2,
            EapMsChapV2Message.Build(MsChapV2OpCode.Failure, _msChapId, Encoding.ASCII.GetBytes(message))), reason);
    }

    private EapServerStep Send(MsChapV2OpCode opCode, ReadOnlySpan<byte> data) =>
        EapServerStep.Send(EapPacket.Request(_identifier, EapType.MsChapV2, EapMsChapV2Message.Build(opCode, _msChapId, data)));
}

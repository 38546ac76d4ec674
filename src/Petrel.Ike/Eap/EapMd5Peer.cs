namespace Petrel.Ike.Eap;

/// <summary>EAP-MD5 as peer: answers each challenge with MD5(Identifier, password, challenge).</summary>
public sealed class EapMd5Peer(EapPeerContext context) : IEapPeer
{
    public EapType Type => EapType.Md5Challenge;
    public ReadOnlyMemory<byte> Msk => ReadOnlyMemory<byte>.Empty;
    public bool Completed { get; private set; }
    public string Refusal => "";

    public EapPeerStep Process(EapPacket request)
    {
        if (!EapMd5.TryDecode(request.Data, out var challenge))
            return EapPeerStep.Fail("malformed EAP-MD5 challenge");
        if (context.Secret?.Password is null)
            return EapPeerStep.Fail($"no EAP secret found for '{context.Identity}' - '{context.ServerIdentity}'");
        var answer = EapMd5.Answer(request.Identifier, context.Secret.Password, challenge);
        Completed = true;
        return EapPeerStep.Send(EapPacket.Response(request.Identifier, EapType.Md5Challenge, EapMd5.Encode(answer, [])));
    }
}

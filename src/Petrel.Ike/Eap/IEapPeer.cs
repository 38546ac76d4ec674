namespace Petrel.Ike.Eap;

/// <summary>
/// The peer's (client's) side of one EAP method conversation: each Request of the method goes to
/// <see cref="Process"/>, which answers with a Response, or with an error that ends the conversation. After the
/// authenticator's EAP-Success, <see cref="Msk"/> holds the method's key (empty for MD5).
/// </summary>
public interface IEapPeer
{
    EapType Type { get; }

    EapPeerStep Process(EapPacket request);

    ReadOnlyMemory<byte> Msk { get; }

    /// <summary>Whether the method has finished its own exchange (and, where it can, authenticated the server).</summary>
    bool Completed { get; }

    /// <summary>What the method learned about a refusal (an MS-CHAPv2 Failure message), for the log; empty otherwise.</summary>
    string Refusal { get; }
}

/// <summary>A Response to send, or the reason the peer gives up.</summary>
public sealed record EapPeerStep(EapPacket? Response, string Error)
{
    public static EapPeerStep Send(EapPacket response) => new(response, "");
    public static EapPeerStep Fail(string error) => new(null, error);
}

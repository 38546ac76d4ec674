using Petrel.Ike.Eap;

namespace Petrel.Ike.Tests.Eap;

/// <summary>Runs an authenticator and a peer against each other in memory, recording every packet.</summary>
internal sealed class EapConversation(EapServerSession server, EapPeerSession peer)
{
    public List<EapPacket> Packets { get; } = [];
    public string ServerReason { get; private set; } = "";
    public string PeerError { get; private set; } = "";

    /// <summary>Returns the final step of the server (Success or Failure), or null when the peer gave up.</summary>
    public EapServerStepKind? Run(Func<EapPacket, EapPacket>? tamper = null)
    {
        var step = server.Start();
        for (int round = 0; round < 100; round++)
        {
            Packets.Add(step.Packet!);
            if (step.Kind != EapServerStepKind.Request)
            {
                ServerReason = step.Reason;
                return step.Kind;
            }
            var request = tamper?.Invoke(step.Packet!) ?? step.Packet!;
            Assert.True(EapPacket.TryDecode(request.Bytes, out var decoded, out _));
            var answer = peer.Process(decoded!);
            if (answer.Response is null)
            {
                PeerError = answer.Error;
                return null;
            }
            Packets.Add(answer.Response);
            Assert.True(EapPacket.TryDecode(answer.Response.Bytes, out var response, out _));
            step = server.Process(response!);
        }
        throw new InvalidOperationException("EAP conversation did not end");
    }
}

using System.Security.Cryptography;
using System.Text;
using Petrel.Ike.Eap;

namespace Petrel.Ike.Tests.Eap;

public class EapMethodTests
{
    private static readonly Action<Span<byte>> Rng = RandomNumberGenerator.Fill;

    private static EapServerContext ServerContext(string user, byte id, string password) => new()
    {
        PeerIdentity = user,
        ServerIdentity = "gw.example.org",
        FirstIdentifier = id,
        Random = Rng,
        FindSecret = u => u == "carol" ? EapSecret.FromPassword(Encoding.UTF8.GetBytes(password)) : null,
    };

    private static EapPeerContext PeerContext(string password, string user = "carol") => new()
    {
        Identity = user,
        ServerIdentity = "gw.example.org",
        Random = Rng,
        Secret = EapSecret.FromPassword(Encoding.UTF8.GetBytes(password)),
    };

    private static (EapConversation Run, EapServerSession Server, EapPeerSession Peer) Conversation(EapType type, string serverPassword, string peerPassword, bool askIdentity = true)
    {
        var server = new EapServerSession("carol", askIdentity, 7, (user, id) => type switch
        {
            EapType.Md5Challenge => new EapMd5Server(ServerContext(user, id, serverPassword)),
            _ => new EapMsChapV2Server(ServerContext(user, id, serverPassword)),
        });
        var peer = new EapPeerSession("carol", type, t => t switch
        {
            EapType.Md5Challenge => new EapMd5Peer(PeerContext(peerPassword)),
            EapType.MsChapV2 => new EapMsChapV2Peer(PeerContext(peerPassword)),
            _ => null,
        });
        return (new EapConversation(server, peer), server, peer);
    }

    [Fact]
    public void Md5_authenticates_the_right_password_without_an_msk()
    {
        var (run, server, peer) = Conversation(EapType.Md5Challenge, "s3cret", "s3cret");
        Assert.Equal(EapServerStepKind.Success, run.Run());
        Assert.True(server.Msk.IsEmpty);
        Assert.True(peer.Method!.Completed);
        // Identity request, identity response, challenge, answer, success.
        Assert.Equal([EapType.Identity, EapType.Identity, EapType.Md5Challenge, EapType.Md5Challenge, EapType.None], run.Packets.Select(p => p.Type));
        Assert.Equal(EapCode.Success, run.Packets[^1].Code);
        Assert.Equal(run.Packets[^2].Identifier, run.Packets[^1].Identifier);
    }

    [Fact]
    public void Md5_refuses_a_wrong_password_with_a_reason()
    {
        var (run, _, _) = Conversation(EapType.Md5Challenge, "s3cret", "guess");
        Assert.Equal(EapServerStepKind.Failure, run.Run());
        Assert.Contains("EAP-MD5 verification of 'carol' failed (wrong password)", run.ServerReason);
        Assert.Equal(EapCode.Failure, run.Packets[^1].Code);
    }

    [Fact]
    public void MsChapV2_authenticates_both_ways_and_both_sides_derive_the_same_msk()
    {
        var (run, server, peer) = Conversation(EapType.MsChapV2, "s3cret", "s3cret");
        Assert.Equal(EapServerStepKind.Success, run.Run());
        Assert.Equal(64, server.Msk.Length);
        Assert.Equal(server.Msk.ToArray(), peer.Method!.Msk.ToArray());
        Assert.True(peer.Method.Completed);
        // The Success Response is the OpCode alone: EAP header, Type, OpCode 3.
        var ack = run.Packets[^2];
        Assert.Equal(6, ack.Bytes.Length);
        Assert.Equal(3, ack.Data[0]);
    }

    [Fact]
    public void MsChapV2_packets_carry_MS_Length_of_the_EAP_length_minus_5()
    {
        var (run, _, _) = Conversation(EapType.MsChapV2, "s3cret", "s3cret", askIdentity: false);
        run.Run();
        var challenge = run.Packets[0];
        Assert.Equal(EapType.MsChapV2, challenge.Type);
        Assert.Equal(challenge.Bytes.Length - 5, (challenge.Data[2] << 8) | challenge.Data[3]);
        Assert.Equal(16, challenge.Data[4]);
        var response = run.Packets[1];
        Assert.Equal(49, response.Data[4]);
        Assert.Equal("carol", Encoding.UTF8.GetString(response.Data[(5 + 49)..]));
    }

    [Fact]
    public void MsChapV2_refuses_a_wrong_password_with_E_691_and_a_reason()
    {
        var (run, _, peer) = Conversation(EapType.MsChapV2, "s3cret", "guess");
        Assert.Equal(EapServerStepKind.Failure, run.Run());
        Assert.Contains("EAP-MSCHAPv2 verification of 'carol' failed (wrong password)", run.ServerReason);
        Assert.Contains("error 691", peer.Method!.Refusal);
        // The Failure Request itself carries the reason, for a log that does not wait for the peer's answer.
        var failureRequest = run.Packets.Count - 3;
        Assert.Equal(4, run.Packets[failureRequest].Data[0]);
        Assert.False(peer.Method.Completed);
    }

    [Fact]
    public void MsChapV2_peer_refuses_a_server_that_does_not_know_the_password()
    {
        // A server that accepts anything still cannot produce the authenticator response.
        var server = new EapServerSession("carol", false, 1, (_, id) => new LyingMsChapServer(id));
        var peer = new EapPeerSession("carol", EapType.MsChapV2, _ => new EapMsChapV2Peer(PeerContext("s3cret")));
        var run = new EapConversation(server, peer);
        Assert.Null(run.Run());
        Assert.Contains("authenticator response does not verify", run.PeerError);
    }

    [Fact]
    public void Peer_naks_a_method_it_is_not_configured_for_and_the_server_says_so()
    {
        var server = new EapServerSession("carol", false, 1, (u, id) => new EapMd5Server(ServerContext(u, id, "x")));
        var peer = new EapPeerSession("carol", EapType.MsChapV2, _ => new EapMsChapV2Peer(PeerContext("x")));
        var run = new EapConversation(server, peer);
        Assert.Equal(EapServerStepKind.Failure, run.Run());
        Assert.Equal(EapType.Nak, run.Packets[1].Type);
        Assert.Equal((byte)EapType.MsChapV2, run.Packets[1].Data[0]);
        Assert.Contains("refuses EAP-MD5 (EAP-Nak, it wants EAP-MSCHAPv2)", run.ServerReason);
    }

    [Fact]
    public void The_identity_round_takes_the_identity_the_peer_answers()
    {
        var server = new EapServerSession("ike-id", true, 250, (u, id) => new EapMd5Server(ServerContext(u, id, "pw")));
        var peer = new EapPeerSession("carol", null, _ => new EapMd5Peer(PeerContext("pw")));
        var run = new EapConversation(server, peer);
        Assert.Equal(EapServerStepKind.Success, run.Run());
        Assert.Equal("carol", server.Identity);
        // Identifiers count on from the random start and wrap.
        Assert.Equal([250, 250, 251, 251, 251], run.Packets.Select(p => (int)p.Identifier));
    }

    [Fact]
    public void Packet_decoding_refuses_bad_lengths_and_codes()
    {
        Assert.False(EapPacket.TryDecode([1, 2, 0], out _, out var e1));
        Assert.Contains("shorter", e1);
        Assert.False(EapPacket.TryDecode([1, 2, 0, 9, 1], out _, out var e2));
        Assert.Contains("does not match", e2);
        Assert.False(EapPacket.TryDecode([1, 2, 0, 4], out _, out var e3));
        Assert.Contains("without a Type", e3);
        Assert.False(EapPacket.TryDecode([9, 2, 0, 4], out _, out var e4));
        Assert.Contains("code 9", e4);
        Assert.True(EapPacket.TryDecode([3, 5, 0, 4], out var ok, out _));
        Assert.Equal(EapCode.Success, ok!.Code);
        Assert.Equal(5, ok.Identifier);
    }

    [Fact]
    public void Malformed_method_data_ends_the_conversation_without_throwing()
    {
        var server = new EapMsChapV2Server(ServerContext("carol", 1, "pw"));
        server.Start();
        var step = server.Process(EapPacket.Response(1, EapType.MsChapV2, [2, 1, 0, 5, 49, 1, 2]));
        Assert.Equal(EapServerStepKind.Failure, step.Kind);
        var peer = new EapMsChapV2Peer(PeerContext("pw"));
        Assert.Null(peer.Process(EapPacket.Request(1, EapType.MsChapV2, [1, 1, 0, 5, 16, 1])).Response);
        Assert.Null(new EapMd5Peer(PeerContext("pw")).Process(EapPacket.Request(1, EapType.Md5Challenge, [40, 1])).Response);
    }

    /// <summary>Sends Success with a made-up authenticator response, whatever the peer answered.</summary>
    private sealed class LyingMsChapServer(byte id) : IEapServer
    {
        public string Name => "liar";
        public ReadOnlyMemory<byte> Msk => default;
        public EapServerStep Start() => EapServerStep.Send(EapPacket.Request(id, EapType.MsChapV2, EapMsChapV2Message.Build(MsChapV2OpCode.Challenge, id, [16, .. new byte[16], (byte)'x'])));
        public EapServerStep Process(EapPacket response) => EapServerStep.Send(EapPacket.Request((byte)(id + 1), EapType.MsChapV2,
            EapMsChapV2Message.Build(MsChapV2OpCode.Success, id, Encoding.ASCII.GetBytes("S=" + new string('0', 40) + " M=hi"))));
    }
}

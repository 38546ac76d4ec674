using System.Text;
using Petrel.Ike.Eap;

namespace Petrel.Ike.Tests.Eap;

public class MsChapV2Tests
{
    private static readonly EapVectors V = new("mschapv2.txt");

    private static byte[] NtHash() => EapSecret.FromPassword(Encoding.UTF8.GetBytes(V.Text("Password"))).NtHash();

    [Fact]
    public void Nt_password_hash_matches_RFC_2759()
    {
        Assert.Equal(V.Hex("PasswordHash"), NtHash());
        Assert.Equal(V.Hex("PasswordHashHash"), MsChapV2.HashNtPasswordHash(NtHash()));
    }

    [Fact]
    public void Challenge_hash_and_NT_response_match_RFC_2759()
    {
        Assert.Equal(V.Hex("Challenge"), MsChapV2.ChallengeHash(V.Hex("PeerChallenge"), V.Hex("AuthenticatorChallenge"), V.Text("UserName")));
        Assert.Equal(V.Hex("NT-Response"), MsChapV2.NtResponse(V.Hex("AuthenticatorChallenge"), V.Hex("PeerChallenge"), V.Text("UserName"), NtHash()));
    }

    [Fact]
    public void Authenticator_response_matches_RFC_2759()
    {
        var response = MsChapV2.AuthenticatorResponse(NtHash(), V.Hex("NT-Response"), V.Hex("PeerChallenge"), V.Hex("AuthenticatorChallenge"), V.Text("UserName"));
        Assert.Equal(V.Text("AuthenticatorResponse"), MsChapV2.AuthenticatorResponseText(response));
    }

    [Fact]
    public void Domain_prefix_is_left_out_of_the_challenge_hash()
    {
        Assert.Equal(V.Hex("Challenge"), MsChapV2.ChallengeHash(V.Hex("PeerChallenge"), V.Hex("AuthenticatorChallenge"), "CORP\\" + V.Text("UserName")));
    }

    [Fact]
    public void Master_key_and_send_key_match_RFC_3079()
    {
        var master = MsChapV2.MasterKey(V.Hex("PasswordHashHash"), V.Hex("NT-Response"));
        Assert.Equal(V.Hex("MasterKey"), master);
        // §3.5.3 derives the authenticator's send key (IsSend, IsServer).
        Assert.Equal(V.Hex("SendStartKey128"), MsChapV2.ServerStartKey(master, send: true));
    }

    [Fact]
    public void Msk_is_receive_key_then_send_key_then_32_zero_bytes()
    {
        var msk = MsChapV2.Msk(NtHash(), V.Hex("NT-Response"));
        var master = V.Hex("MasterKey");
        Assert.Equal(64, msk.Length);
        Assert.Equal(MsChapV2.ServerStartKey(master, send: false), msk[..16]);
        Assert.Equal(V.Hex("SendStartKey128"), msk[16..32]);
        Assert.All(msk[32..], b => Assert.Equal(0, b));
        Assert.NotEqual(msk[..16], msk[16..32]);
    }

    [Fact]
    public void Nt_hash_secret_is_used_as_given()
    {
        var secret = EapSecret.FromNtHash(V.Hex("PasswordHash"));
        Assert.Equal(V.Hex("PasswordHash"), secret.NtHash());
        Assert.Throws<ArgumentException>(() => EapSecret.FromNtHash(new byte[15]));
    }
}

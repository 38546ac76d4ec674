using System.Net;
using Petrel.Ike.Radius;
using Petrel.Ike.Tests.Wire;

namespace Petrel.Ike.Tests.Radius;

public class RadiusPacketTests
{
    private static Dictionary<string, string> Vector(string name) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "vectors", "radius", name))
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split(" = ", 2))
            .ToDictionary(p => p[0], p => p[1]);

    [Fact]
    public void Rfc2865_example_decodes_reencodes_and_its_response_authenticator_verifies()
    {
        var v = Vector("rfc2865-7.1.txt");
        byte[] secret = System.Text.Encoding.ASCII.GetBytes(v["secret"]);
        var request = Hex.Parse(v["request"]);
        var accept = Hex.Parse(v["accept"]);

        Assert.True(RadiusPacket.TryDecode(request, out var req, out string error), error);
        Assert.Equal(RadiusCode.AccessRequest, req!.Code);
        Assert.Equal("nemo", System.Text.Encoding.ASCII.GetString(req.Find(RadiusAttributeType.UserName)!.Value.Value));
        Assert.Equal(IPAddress.Parse("192.168.1.16"), new IPAddress(req.Find(RadiusAttributeType.NasIpAddress)!.Value.Value));
        Assert.Equal(request, req.Encode());

        Assert.True(RadiusPacket.TryDecode(accept, out var acc, out error), error);
        Assert.Equal(RadiusCode.AccessAccept, acc!.Code);
        Assert.True(acc.Find(RadiusAttributeType.ServiceType)!.Value.TryGetInteger(out uint service));
        Assert.Equal(1u, service);
        Assert.Equal(accept, acc.Encode());

        Assert.True(RadiusSigner.VerifyResponse(accept, req.Authenticator, secret, out error), error);
        Assert.False(RadiusSigner.VerifyResponse(accept, req.Authenticator, "xyzzy5462"u8, out error));
        Assert.Contains("Response Authenticator", error);
        accept[^1] ^= 1;
        Assert.False(RadiusSigner.VerifyResponse(accept, req.Authenticator, secret, out _));
    }

    [Fact]
    public void Access_request_message_authenticator_is_hmac_md5_over_the_packet()
    {
        byte[] secret = "testing123"u8.ToArray();
        var auth = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var packet = new RadiusPacket(RadiusCode.AccessRequest, 7, auth)
            .Add(RadiusAttribute.Text(RadiusAttributeType.UserName, "alice"))
            .AddEapMessage([2, 1, 0, 10, 1, (byte)'a', (byte)'l', (byte)'i', (byte)'c', (byte)'e']);
        var bytes = RadiusSigner.SignAccessRequest(packet, secret);

        // Independent model of RFC 3579 §3.2: HMAC-MD5(secret, packet with the value zeroed).
        int at = bytes.Length - 16;
        Assert.Equal(80, bytes[at - 2]);
        var zeroed = (byte[])bytes.Clone();
        Array.Clear(zeroed, at, 16);
        Assert.Equal(System.Security.Cryptography.HMACMD5.HashData(secret, zeroed), bytes[at..]);
    }

    [Fact]
    public void Accounting_request_authenticator_is_md5_with_zeroed_field()
    {
        byte[] secret = "testing123"u8.ToArray();
        var packet = new RadiusPacket(RadiusCode.AccountingRequest, 3, new byte[16])
            .Add(RadiusAttribute.Integer(RadiusAttributeType.AcctStatusType, 1))
            .Add(RadiusAttribute.Text(RadiusAttributeType.AcctSessionId, "s1"));
        var bytes = RadiusSigner.SignAccountingRequest(packet, secret);
        var zeroed = (byte[])bytes.Clone();
        Array.Clear(zeroed, 4, 16);
        Assert.Equal(System.Security.Cryptography.MD5.HashData([.. zeroed, .. secret]), bytes[4..20]);
    }

    [Fact]
    public void Long_eap_messages_split_into_253_octet_attributes_and_join_again()
    {
        var eap = Enumerable.Range(0, 600).Select(i => (byte)i).ToArray();
        var p = new RadiusPacket(RadiusCode.AccessChallenge, 1, new byte[16]).AddEapMessage(eap);
        Assert.Equal([253, 253, 94], p.Attributes.Select(a => a.Value.Length));
        Assert.True(RadiusPacket.TryDecode(p.Encode(), out var back, out _));
        Assert.Equal(eap, back!.EapMessage());
    }

    [Fact]
    public void Response_with_eap_message_but_no_message_authenticator_is_refused()
    {
        byte[] secret = "s"u8.ToArray();
        var requestAuth = new byte[16];
        var response = new RadiusPacket(RadiusCode.AccessChallenge, 1, new byte[16]).AddEapMessage([1, 1, 0, 4]);
        var bytes = response.Encode();
        var toSign = (byte[])bytes.Clone();
        requestAuth.CopyTo(toSign, 4);
        System.Security.Cryptography.MD5.HashData([.. toSign, .. secret]).CopyTo(bytes, 4);
        Assert.False(RadiusSigner.VerifyResponse(bytes, requestAuth, secret, out string error));
        Assert.Contains("RFC 3579", error);
    }

    [Theory]
    [InlineData("01 00 00 13 00000000000000000000000000000000")]          // 19 octets
    [InlineData("01 00 00 30 00000000000000000000000000000000")]          // Length beyond the datagram
    [InlineData("01 00 00 17 00000000000000000000000000000000 01 01 00")] // attribute Length 1
    [InlineData("01 00 00 17 00000000000000000000000000000000 01 05 00")] // attribute past Length
    [InlineData("01 00 10 01 00000000000000000000000000000000")]          // Length 4097
    public void Malformed_packets_are_refused_without_exceptions(string hex)
    {
        Assert.False(RadiusPacket.TryDecode(Hex.Parse(hex), out _, out string error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Mppe_key_decrypts_what_rfc2548_encryption_made_and_refuses_bad_values()
    {
        var key = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        var secret = "testing123"u8.ToArray();
        var ra = Enumerable.Range(100, 16).Select(i => (byte)i).ToArray();
        var value = MppeKey.Encrypt(key, secret, ra, 0x1234);
        Assert.Equal(2 + 48, value.Length); // 1 + 32 octets padded to 48
        Assert.Equal(0x92, value[0]);        // salt's high bit set
        Assert.True(MppeKey.TryDecrypt(value, secret, ra, out var back));
        Assert.Equal(key, back);

        // b(1) = MD5(secret + RA + salt): an independent check of the first block.
        var b1 = System.Security.Cryptography.MD5.HashData([.. secret, .. ra, value[0], value[1]]);
        Assert.Equal(32, value[2] ^ b1[0]);
        Assert.Equal(key[0], (byte)(value[3] ^ b1[1]));

        // The wrong secret cannot be detected here (the Response Authenticator does that), but never yields the key.
        Assert.True(!MppeKey.TryDecrypt(value, "other"u8, ra, out var wrong) || !wrong.SequenceEqual(key));
        Assert.False(MppeKey.TryDecrypt(value[..^1], secret, ra, out _));
        value[0] &= 0x7f;
        Assert.False(MppeKey.TryDecrypt(value, secret, ra, out _));
    }

    /// <summary>fuzz/crashes/radius/crash-a8b5961652cc5056: a Length field beyond the datagram threw ArgumentOutOfRangeException.</summary>
    [Theory]
    [InlineData("0b0700a0a2bcb5c9860705a8fb2c48c64083b5394f18")] // says 160 octets, has 22
    [InlineData("0b07")]                                       // shorter than the header
    [InlineData("0b07000a00000000000000000000000000000000")]   // says 10, below the 20-octet header
    public void Response_check_refuses_a_datagram_whose_length_field_lies(string hex)
    {
        Assert.False(RadiusSigner.VerifyResponse(Convert.FromHexString(hex), new byte[16], "secret"u8, out string error));
        Assert.Contains("RADIUS response of", error);
    }
}

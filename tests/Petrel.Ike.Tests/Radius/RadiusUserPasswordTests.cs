using Petrel.Ike.Radius;

namespace Petrel.Ike.Tests.Radius;

/// <summary>User-Password hiding (RFC 2865 §5.2) against the example of RFC 2865 §7.1.</summary>
public sealed class RadiusUserPasswordTests
{
    [Fact]
    public void Rfc2865_example_hides_arctangent()
    {
        // RFC 2865 §7.1: secret "xyzzy5461", Request Authenticator 0f403f9473978057bd83d5cb98f4227a, password "arctangent".
        var authenticator = Convert.FromHexString("0f403f9473978057bd83d5cb98f4227a");
        var hidden = RadiusUserPassword.Hide("arctangent"u8, "xyzzy5461"u8, authenticator);
        Assert.Equal("0dbe708d93d413ce3196e43f782a0aee", Convert.ToHexString(hidden).ToLowerInvariant());
        Assert.Equal("arctangent"u8.ToArray(), RadiusUserPassword.Reveal(hidden, "xyzzy5461"u8, authenticator));
    }

    [Theory]
    [InlineData(1, 16)]
    [InlineData(16, 16)]
    [InlineData(17, 32)]
    [InlineData(128, 128)]
    public void Longer_passwords_chain_blocks_and_round_trip(int length, int hiddenLength)
    {
        var password = Enumerable.Repeat((byte)'x', length).ToArray();
        var authenticator = Enumerable.Range(0, 16).Select(i => (byte)(i * 7)).ToArray();
        var hidden = RadiusUserPassword.Hide(password, "s3cret"u8, authenticator);
        Assert.Equal(hiddenLength, hidden.Length);
        Assert.Equal(password, RadiusUserPassword.Reveal(hidden, "s3cret"u8, authenticator));
        // Each block depends on the one before: equal plaintext blocks hide differently.
        if (length == 128) Assert.NotEqual(hidden[..16], hidden[16..32]);
        Assert.NotEqual(password, RadiusUserPassword.Reveal(hidden, "other"u8, authenticator));
    }

    [Fact]
    public void A_password_over_128_octets_is_refused()
    {
        Assert.Throws<ArgumentException>(() => RadiusUserPassword.Hide(new byte[129], "s"u8, new byte[16]));
    }
}

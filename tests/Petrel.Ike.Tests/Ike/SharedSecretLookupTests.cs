using Petrel.Ike;
using Petrel.Ike.Config;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Ike;

public class SharedSecretLookupTests
{
    private static SharedSecret S(string tag, params string[] ids) => new() { Ids = ids, Secret = System.Text.Encoding.ASCII.GetBytes(tag) };

    private static string? Tag(SharedSecret? s) => s is null ? null : System.Text.Encoding.ASCII.GetString(s.Secret);

    [Fact]
    public void Exact_pair_beats_single_id_and_catch_all()
    {
        var secrets = new[] { S("any"), S("one", "right"), S("pair", "left", "right") };
        Assert.Equal("pair", Tag(SharedSecretLookup.Find(secrets, Identity.Parse("left"), Identity.Parse("right"))));
        Assert.Equal("one", Tag(SharedSecretLookup.Find(secrets, Identity.Parse("other"), Identity.Parse("right"))));
        Assert.Equal("any", Tag(SharedSecretLookup.Find(secrets, Identity.Parse("x"), Identity.Parse("y"))));
    }

    [Fact]
    public void Secret_naming_other_ids_is_not_used()
    {
        var secrets = new[] { S("theirs", "carol", "dave") };
        Assert.Null(SharedSecretLookup.Find(secrets, Identity.Parse("left"), Identity.Parse("right")));
    }

    [Fact]
    public void Wildcard_ids_match_and_at_sign_is_ignored()
    {
        var secrets = new[] { S("wild", "*@example.org"), S("fqdn", "@gw.example.org") };
        Assert.Equal("wild", Tag(SharedSecretLookup.Find(secrets, Identity.Parse("a"), Identity.Parse("alice@example.org"))));
        Assert.Equal("fqdn", Tag(SharedSecretLookup.Find(secrets, Identity.Parse("gw.example.org"), Identity.Parse("b"))));
    }
}

using System.Net;
using Petrel.Ike.Certificates;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// RFC 7383 between two engines: RSA certificates with an intermediate make IKE_AUTH several kilobytes, a
/// fragment_size of 576 splits it into SKF fragments both ways; fragmentation = no / accept; a lost fragment
/// recovered by retransmission; a retransmitted fragmented request answered once, on its fragment 1 (§2.6.1).
/// </summary>
public class FragmentationTests
{
    private const int FragmentSize = 576;
    private const int MaxMessage = FragmentSize - 20 - 8; // IPv4 and UDP headers; the fixture speaks on port 500
    private static readonly IPAddress L = ExchangeFixture.LeftAddress, R = ExchangeFixture.RightAddress;
    private static EnginePki Pki => EnginePki.Shared;

    private static ExchangeFixture Create(string leftFragmentation = "yes", string rightFragmentation = "yes")
    {
        var options = new IkeEngineOptions { FragmentSize = FragmentSize };
        var f = new ExchangeFixture(options, options);
        var leftKey = Pki.Key(KeyKind.Rsa, 2048, 41);
        var rightKey = Pki.Key(KeyKind.Rsa, 2048, 42);
        var leftCert = Pki.Issue(leftKey, "C=CH, O=Petrel Test, CN=left.frag.test", ["left.frag.test"], viaIntermediate: true);
        var rightCert = Pki.Issue(rightKey, "C=CH, O=Petrel Test, CN=right.frag.test", ["right.frag.test"], viaIntermediate: true);
        f.Left.Engine.Load([EnginePki.Connection("site", L, R, localTs: ["10.1.0.0/24"], remoteTs: ["10.2.0.0/24"], fragmentation: leftFragmentation)], [],
            Pki.Store(leftCert, leftKey, [Pki.Root, Pki.Intermediate]));
        f.Right.Engine.Load([EnginePki.Connection("site", R, L, localTs: ["10.2.0.0/24"], remoteTs: ["10.1.0.0/24"], fragmentation: rightFragmentation)], [],
            Pki.Store(rightCert, rightKey, [Pki.Root, Pki.Intermediate]));
        return f;
    }

    private static bool IsFragment(Datagram d) => d.Data.Length > IkeHeader.Size && d.Data[16] == (byte)PayloadType.EncryptedFragment;
    private static bool From(Datagram d, IPAddress a) => d.Source.Address.Equals(a);
    private static bool IsAuth(Datagram d) => d.Data.Length > IkeHeader.Size && d.Data[18] == (byte)ExchangeType.IkeAuth;

    [Fact]
    public void Large_ike_auth_messages_travel_as_fragments_both_ways()
    {
        var f = Create();

        var result = f.Initiate();

        Assert.True(result is { Success: true }, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        var fromLeft = f.Network.Delivered.Where(d => From(d, L) && IsFragment(d)).ToList();
        var fromRight = f.Network.Delivered.Where(d => From(d, R) && IsFragment(d)).ToList();
        Assert.True(fromLeft.Count >= 3, $"{fromLeft.Count} fragments from the initiator");
        Assert.True(fromRight.Count >= 3, $"{fromRight.Count} fragments from the responder");
        Assert.All(fromLeft.Concat(fromRight), d => Assert.True(d.Data.Length <= MaxMessage, $"fragment of {d.Data.Length} bytes"));
        Assert.DoesNotContain(f.Network.Delivered, d => IsAuth(d) && !IsFragment(d));
        Assert.True(f.Right.Log.All.Contains($"IKE_AUTH request 1 reassembled from {fromLeft.Count} fragments"), f.Right.Log.All);
        Assert.Contains($"IKE_AUTH response 1 reassembled from {fromRight.Count} fragments", f.Left.Log.All);
        Assert.Equal("C=CH, O=Petrel Test, CN=left.frag.test", f.RightSa.RemoteId);
        Assert.Single(f.LeftSa.Children);
    }

    [Theory]
    [InlineData("no", "yes", false, false)]     // not announced: nobody fragments
    [InlineData("accept", "yes", false, true)]  // left takes fragments but sends whole messages
    [InlineData("yes", "accept", true, false)]
    public void Fragmentation_setting_decides_who_fragments(string left, string right, bool leftFragments, bool rightFragments)
    {
        var f = Create(left, right);

        var result = f.Initiate();

        Assert.True(result is { Success: true }, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Equal(leftFragments, f.Network.Delivered.Any(d => From(d, L) && IsFragment(d)));
        Assert.Equal(rightFragments, f.Network.Delivered.Any(d => From(d, R) && IsFragment(d)));
        if (!leftFragments)
            Assert.Contains(f.Network.Delivered, d => From(d, L) && IsAuth(d) && d.Data.Length > MaxMessage);
    }

    [Fact]
    public void A_lost_fragment_is_recovered_by_retransmitting_all_of_them()
    {
        var f = Create();
        int seen = 0;
        f.Network.Lose(d => From(d, L) && IsFragment(d) && ++seen == 2);

        InitiateResult? result = null;
        f.Left.Engine.Initiate("site", null, r => result = r);
        f.Network.Run();
        Assert.Null(result);
        f.Advance(TimeSpan.FromSeconds(5));

        Assert.True(result is { Success: true }, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Contains("retransmit 1 of IkeAuth request 1", f.Left.Log.All);
        Assert.Equal(1, f.Network.Dropped);
    }

    [Fact]
    public void A_retransmitted_fragmented_request_is_answered_once_on_its_first_fragment()
    {
        var f = Create();
        // The whole first response is lost, so the initiator retransmits every fragment of its request; the
        // responder must resend its response once (on fragment 1), not once per request fragment.
        bool lost = false;
        int responseFragments = 0;
        f.Network.Intercept(d => From(d, R) && IsFragment(d), d =>
        {
            if (lost) return true;
            responseFragments++;
            return false;
        });
        InitiateResult? result = null;
        f.Left.Engine.Initiate("site", null, r => result = r);
        f.Network.Run();
        lost = true;
        Assert.Null(result);
        f.Advance(TimeSpan.FromSeconds(5));

        Assert.True(result is { Success: true }, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        int requestFragments = f.Network.Delivered.Count(d => From(d, L) && IsFragment(d)) / 2;
        Assert.True(requestFragments >= 3, $"{requestFragments} request fragments");
        Assert.Equal(responseFragments, f.Network.Delivered.Count(d => From(d, R) && IsFragment(d)));
        Assert.Single(f.Right.Log.Lines, l => l.Contains("retransmitted IKE_AUTH request 1 (fragmented), sending the cached response"));
    }
}

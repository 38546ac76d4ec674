using System.Net;
using Petrel.Ike;
using Petrel.Ike.Config;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// Two engines, "left" (initiator) and "right" (responder), on an in-memory network with one virtual clock.
/// </summary>
internal sealed class ExchangeFixture
{
    public static readonly IPAddress LeftAddress = IPAddress.Parse("198.51.100.1");
    public static readonly IPAddress RightAddress = IPAddress.Parse("198.51.100.2");

    public InMemoryNetwork Network { get; } = new();
    public VirtualClock Clock { get; } = new();
    public EnginePeer Left { get; }
    public EnginePeer Right { get; }

    public ExchangeFixture(IkeEngineOptions? leftOptions = null, IkeEngineOptions? rightOptions = null)
    {
        Left = new EnginePeer("left", LeftAddress, Network, Clock, 1, leftOptions);
        Right = new EnginePeer("right", RightAddress, Network, Clock, 2, rightOptions);
    }

    public static ExchangeFixture Create(string ike = "aes128-sha256-modp2048", string esp = "aes128gcm16",
        string? rightIke = null, string? rightEsp = null, string leftPsk = "left-right-psk", string? rightPsk = null,
        string[]? leftTs = null, string[]? rightTs = null, string[]? rightLocalTs = null, string[]? rightRemoteTs = null,
        bool encap = false, IkeEngineOptions? rightOptions = null, IkeEngineOptions? leftOptions = null)
    {
        var f = new ExchangeFixture(leftOptions, rightOptions);
        var left = EnginePeer.Connection("site", LeftAddress, RightAddress, "left", "right", ike, esp, leftTs, rightTs, encap);
        var right = EnginePeer.Connection("site", RightAddress, LeftAddress, "right", "left", rightIke ?? ike, rightEsp ?? esp,
            rightLocalTs ?? rightTs, rightRemoteTs ?? leftTs);
        f.Left.Engine.Load([left], [EnginePeer.Secret(leftPsk, "left", "right")]);
        f.Right.Engine.Load([right], [EnginePeer.Secret(rightPsk ?? leftPsk, "left", "right")]);
        return f;
    }

    /// <summary>Initiates from left and delivers until quiet; returns the result (null if still pending).</summary>
    public InitiateResult? Initiate(string connection = "site", string? child = null)
    {
        InitiateResult? result = null;
        int calls = 0;
        Left.Engine.Initiate(connection, child, r => { result = r; calls++; });
        Network.Run();
        Assert.True(calls <= 1, "done called more than once");
        return result;
    }

    /// <summary>Advances virtual time in steps, ticking both engines and delivering what they send.</summary>
    public void Advance(TimeSpan total, TimeSpan? step = null)
    {
        var s = step ?? TimeSpan.FromMilliseconds(500);
        for (var t = TimeSpan.Zero; t < total; t += s)
        {
            Clock.Advance(s);
            Left.Engine.Tick();
            Right.Engine.Tick();
            Network.Run();
        }
    }

    public IkeSaInfo LeftSa => Assert.Single(Left.Engine.ListSas());
    public IkeSaInfo RightSa => Assert.Single(Right.Engine.ListSas());
}

using System.Net;
using Petrel.Ike.V2.IkeSaInit;

namespace Petrel.Ike.Tests.Ike;

/// <summary>RFC 7296 §2.6 COOKIEs from a secret that changes every two minutes, the previous one still honoured.</summary>
public class CookieSecretTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("192.0.2.7"), 500);
    private static readonly byte[] Ni = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void A_cookie_is_accepted_under_its_secret_and_the_next_one_but_not_after_that()
    {
        var net = new InMemoryNetwork();
        var clock = new VirtualClock();
        var peer = new EnginePeer("r", IPAddress.Loopback, net, clock, 3);
        var secrets = new CookieSecrets(peer.Engine);
        var cookie = secrets.Make(Ni, Peer, 0x1122334455667788);
        Assert.Equal(33, cookie.Length);

        Assert.True(secrets.Verify(cookie, Ni, Peer, 0x1122334455667788));
        // Bound to the nonce, the address and the SPI.
        Assert.False(secrets.Verify(cookie, Ni.Reverse().ToArray(), Peer, 0x1122334455667788));
        Assert.False(secrets.Verify(cookie, Ni, new IPEndPoint(IPAddress.Parse("192.0.2.8"), 500), 0x1122334455667788));
        Assert.False(secrets.Verify(cookie, Ni, Peer, 0x1122334455667789));
        Assert.False(secrets.Verify(cookie[..32], Ni, Peer, 0x1122334455667788));

        clock.Advance(IkeSaInitResponder.CookieSecretLifetime + TimeSpan.FromSeconds(1));
        var fresh = secrets.Make(Ni, Peer, 0x1122334455667788);
        Assert.NotEqual(cookie[0], fresh[0]); // a new secret, a new version byte
        Assert.True(secrets.Verify(cookie, Ni, Peer, 0x1122334455667788)); // the previous secret still counts
        Assert.True(secrets.Verify(fresh, Ni, Peer, 0x1122334455667788));

        clock.Advance(IkeSaInitResponder.CookieSecretLifetime + TimeSpan.FromSeconds(1));
        Assert.False(secrets.Verify(cookie, Ni, Peer, 0x1122334455667788)); // two changes later: refused
        Assert.True(secrets.Verify(fresh, Ni, Peer, 0x1122334455667788));
    }

    [Fact]
    public void After_a_long_quiet_spell_no_old_cookie_is_honoured()
    {
        var net = new InMemoryNetwork();
        var clock = new VirtualClock();
        var secrets = new CookieSecrets(new EnginePeer("r", IPAddress.Loopback, net, clock, 4).Engine);
        var cookie = secrets.Make(Ni, Peer, 1);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.False(secrets.Verify(cookie, Ni, Peer, 1));
    }

    [Fact]
    public void Datagrams_larger_than_max_packet_are_dropped_unread()
    {
        var f = ExchangeFixture.Create(rightOptions: new IkeEngineOptions { MaxPacket = 1280 });
        long before = f.Right.Engine.DroppedDatagrams;
        var big = new byte[1281];
        big[17] = 0x20; big[18] = 34; big[19] = 0x08;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(big.AsSpan(24), (uint)big.Length);
        f.Right.Engine.Receive(new IPEndPoint(ExchangeFixture.RightAddress, 500), new IPEndPoint(ExchangeFixture.LeftAddress, 500), big);
        Assert.Equal(before + 1, f.Right.Engine.DroppedDatagrams);
        Assert.Empty(f.Right.Engine.ListSas());
        // An ordinary exchange is well below it.
        Assert.True(f.Initiate()!.Success);
    }
}

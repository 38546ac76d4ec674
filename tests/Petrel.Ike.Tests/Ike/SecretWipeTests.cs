using Petrel.Ike;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// Issue 12, "least privilege and secrets": IKE keys (SK_d, SK_a, SK_e, SK_p) are zeroed when their IKE SA dies or is
/// rekeyed, and CHILD_SA keys leave no copy in the engine once the data plane has them, unless export_keys keeps one
/// (then it is zeroed when the CHILD_SA goes).
/// </summary>
public class SecretWipeTests
{
    private static List<byte[]> IkeKeyBuffers(EnginePeer p)
    {
        var sa = p.Engine.FindSa(Assert.Single(p.Engine.ListSas()).UniqueId)!;
        var k = sa.Keys!;
        List<byte[]> all = [k.SkD, k.SkAi, k.SkAr, k.SkEi, k.SkEr, k.SkPi, k.SkPr];
        var used = all.Where(b => b.Length > 0).ToList();
        Assert.True(used.Count >= 5, "SK_d, SK_e and SK_p at least");
        Assert.All(used, b => Assert.Contains(b, x => x != 0));
        return used;
    }

    private static Petrel.Ike.Sa.ChildSa Child(EnginePeer p) => Assert.Single(p.Engine.FindSa(Assert.Single(p.Engine.ListSas()).UniqueId)!.Children);

    private static void AssertZeroed(IEnumerable<byte[]> buffers) => Assert.All(buffers, b => Assert.All(b, x => Assert.Equal(0, x)));

    [Fact]
    public void Ike_keys_are_zeroed_when_the_ike_sa_is_deleted_and_no_child_sa_key_copy_is_kept()
    {
        var f = ExchangeFixture.Create("aes128-sha256-modp2048", "aes128-sha256");
        Assert.True(f.Initiate()!.Success);
        var left = IkeKeyBuffers(f.Left);
        var right = IkeKeyBuffers(f.Right);
        foreach (var p in new[] { f.Left, f.Right })
        {
            var c = Child(p);
            // export_keys is off: the engine kept nothing; the data plane holds the keys that protect traffic.
            Assert.Empty(c.EncKeyIn);
            Assert.Empty(c.EncKeyOut);
            Assert.Empty(c.IntegKeyIn);
            Assert.Empty(c.IntegKeyOut);
            Assert.Contains(p.Kernel.Inbound.EncryptionKey, x => x != 0);
        }
        RekeyFixture.AssertOnePair(f); // both kernels still agree on the keys

        bool done = false;
        Assert.True(f.Left.Engine.TerminateIke(f.LeftSa.UniqueId, r => done = r.Success));
        f.Network.Run();

        Assert.True(done);
        Assert.Empty(f.Left.Engine.ListSas());
        Assert.Empty(f.Right.Engine.ListSas());
        AssertZeroed(left);
        AssertZeroed(right);
    }

    [Fact]
    public void The_old_ike_sa_keys_are_zeroed_after_a_rekey()
    {
        var f = ExchangeFixture.Create("aes128gcm16-prfsha256-ecp256", "aes128gcm16");
        Assert.True(f.Initiate()!.Success);
        var left = IkeKeyBuffers(f.Left);
        var right = IkeKeyBuffers(f.Right);
        var old = f.LeftSa.UniqueId;

        Assert.True(f.Left.Engine.RekeyIke(old));
        f.Network.Run();

        Assert.NotEqual(old, f.LeftSa.UniqueId);
        AssertZeroed(left);
        AssertZeroed(right);
        // The new IKE SA has keys of its own, not zeroed ones.
        IkeKeyBuffers(f.Left);
    }

    [Fact]
    public void With_export_keys_the_child_sa_keys_are_kept_and_zeroed_when_it_is_deleted()
    {
        var export = new IkeEngineOptions { ExportKeys = true };
        var f = ExchangeFixture.Create("aes128-sha256-modp2048", "aes128-sha256", leftOptions: export, rightOptions: export);
        Assert.True(f.Initiate()!.Success);
        var c = Child(f.Left);
        List<byte[]> keys = [c.EncKeyIn, c.EncKeyOut, c.IntegKeyIn, c.IntegKeyOut];
        Assert.All(keys, b => Assert.Contains(b, x => x != 0));
        Assert.Equal(Convert.ToHexStringLower(c.EncKeyOut), f.Left.Engine.ExportEspKeys()[0].EncryptionKey[2..]);

        bool done = false;
        Assert.True(f.Left.Engine.TerminateChild(c.UniqueId, r => done = r.Success));
        f.Network.Run();

        Assert.True(done);
        Assert.Empty(f.LeftSa.Children);
        AssertZeroed(keys);
    }
}

using Petrel.Crypto.Proposals;
using Petrel.Ike.Config;

namespace Petrel.Ike.Tests.Ike;

public class ChildSaTests
{
    private static ExchangeFixture WithSecondChild(string leftEsp, string rightEsp)
    {
        var f = new ExchangeFixture();
        ChildConfig Extra(string esp, string local, string remote) => new()
        {
            Name = "db", LocalTs = [local], RemoteTs = [remote], EspProposals = ProposalParser.Parse(esp, SecurityProtocol.Esp),
        };
        var left = EnginePeer.Connection("site", ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right", "aes128-sha256-modp2048", "aes128gcm16",
            ["10.1.0.0/24"], ["10.2.0.0/24"], extraChildren: Extra(leftEsp, "10.1.1.0/24", "10.2.1.0/24"));
        var right = EnginePeer.Connection("site", ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "right", "left", "aes128-sha256-modp2048", "aes128gcm16",
            ["10.2.0.0/24"], ["10.1.0.0/24"], extraChildren: Extra(rightEsp, "10.2.1.0/24", "10.1.1.0/24"));
        f.Left.Engine.Load([left], [EnginePeer.Secret("k")]);
        f.Right.Engine.Load([right], [EnginePeer.Secret("k")]);
        return f;
    }

    [Theory]
    [InlineData("aes256gcm16", "")]
    [InlineData("aes256gcm16-ecp256", "ECP_256")]
    [InlineData("aes128-sha256-modp2048", "MODP_2048")]
    public void Create_child_sa_adds_a_second_child_with_and_without_pfs(string esp, string dh)
    {
        var f = WithSecondChild(esp, esp);
        Assert.True(f.Initiate(child: "net")!.Success);

        var result = f.Initiate(child: "db");

        Assert.True(result!.Success, result.Message);
        Assert.Single(f.Left.Engine.ListSas());
        Assert.Equal(2, f.LeftSa.Children.Count);
        var db = f.LeftSa.Children.Single(c => c.Name == "db");
        var rdb = f.RightSa.Children.Single(c => c.Name == "db");
        Assert.Equal(db.SpiOut, rdb.SpiIn);
        Assert.Equal(dh, db.Dh);
        Assert.Equal(["10.1.1.0/24"], db.LocalTs);
        Assert.Equal(4, f.Left.Kernel.Sas.Count);
        var outSpi = uint.Parse(db.SpiOut, System.Globalization.NumberStyles.HexNumber);
        Assert.Equal(f.Left.Kernel.Sas[(outSpi, Petrel.DataPlane.Kernel.SaDirection.Outbound)].EncryptionKey,
            f.Right.Kernel.Sas[(outSpi, Petrel.DataPlane.Kernel.SaDirection.Inbound)].EncryptionKey);
        Assert.Contains(f.Network.Delivered, d => d.ExchangeType == 36);
    }

    [Fact]
    public void Initiating_all_children_creates_the_rest_with_create_child_sa()
    {
        var f = WithSecondChild("aes128gcm16", "aes128gcm16");
        var result = f.Initiate();
        Assert.True(result!.Success, result.Message);
        Assert.Equal(2, f.RightSa.Children.Count);
    }

    [Fact]
    public void Pfs_group_mismatch_is_resolved_by_invalid_ke_payload()
    {
        var f = WithSecondChild("aes128gcm16-modp2048-ecp256", "aes128gcm16-ecp256");
        Assert.True(f.Initiate(child: "net")!.Success);

        var result = f.Initiate(child: "db");

        Assert.True(result!.Success, result.Message);
        Assert.Equal("ECP_256", f.LeftSa.Children.Single(c => c.Name == "db").Dh);
    }

    [Fact]
    public void Deleting_a_child_removes_it_on_both_sides()
    {
        var f = ExchangeFixture.Create();
        Assert.True(f.Initiate()!.Success);
        InitiateResult? done = null;

        f.Left.Engine.Terminate("site", "net", r => done = r);
        f.Network.Run();

        Assert.True(done!.Success, done.Message);
        Assert.Empty(f.LeftSa.Children);
        Assert.Empty(f.RightSa.Children);
        Assert.Empty(f.Left.Kernel.Sas);
        Assert.Empty(f.Right.Kernel.Sas);
        Assert.Empty(f.Right.Kernel.Policies);
        Assert.Contains(f.Right.Kernel.Log, l => l.StartsWith("remove Inbound"));
        Assert.Equal("ESTABLISHED", f.LeftSa.State);
    }

    [Fact]
    public void Deleting_the_ike_sa_from_either_side_removes_everything()
    {
        foreach (bool fromResponder in new[] { false, true })
        {
            var f = ExchangeFixture.Create();
            Assert.True(f.Initiate()!.Success);
            InitiateResult? done = null;
            var engine = fromResponder ? f.Right.Engine : f.Left.Engine;

            engine.Terminate("site", null, r => done = r);
            f.Network.Run();

            Assert.True(done!.Success, done.Message);
            Assert.Empty(f.Left.Engine.ListSas());
            Assert.Empty(f.Right.Engine.ListSas());
            Assert.Empty(f.Left.Kernel.Sas);
            Assert.Empty(f.Right.Kernel.Sas);
            Assert.Empty(f.Left.Kernel.Policies);
        }
    }

    [Fact]
    public void Empty_informational_is_answered()
    {
        var f = ExchangeFixture.Create();
        Assert.True(f.Initiate()!.Success);
        int before = f.Network.Delivered.Count;

        Assert.True(f.Right.Engine.SendLivenessCheck(f.RightSa.UniqueId));
        f.Network.Run();

        Assert.Equal(before + 2, f.Network.Delivered.Count);
        Assert.True(f.Network.Delivered[^1].IsResponse);
        Assert.Equal("ESTABLISHED", f.LeftSa.State);
    }
}

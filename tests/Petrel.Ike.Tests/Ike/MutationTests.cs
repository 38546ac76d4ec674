namespace Petrel.Ike.Tests.Ike;

public class MutationTests
{
    /// <summary>
    /// Every message of a real exchange, mutated at random (bit flips, truncation, length games) and
    /// replayed at both engines: nothing may reach the last-resort catch (logged as an error) and the
    /// established SAs must survive.
    /// </summary>
    [Fact]
    public void Mutated_messages_never_hit_the_last_resort_handler_or_break_the_sa()
    {
        var f = ExchangeFixture.Create("aes128-sha256-modp2048", "aes128-sha256");
        Assert.True(f.Initiate()!.Success);
        f.Left.Engine.Terminate("site", "net", _ => { });
        f.Network.Run();
        Assert.True(f.Initiate(child: "net")!.Success);
        var originals = f.Network.Delivered.ToList();
        var rng = new Random(1234);

        foreach (var d in originals)
        {
            for (int i = 0; i < 150; i++)
            {
                var data = (byte[])d.Data.Clone();
                switch (rng.Next(4))
                {
                    case 0:
                        for (int k = rng.Next(1, 4); k > 0; k--) data[rng.Next(data.Length)] ^= (byte)(1 << rng.Next(8));
                        break;
                    case 1:
                        data = data[..rng.Next(data.Length)];
                        break;
                    case 2:
                        // Header fields only: SPIs, next payload, version, exchange, flags, message ID, length.
                        data[rng.Next(28)] = (byte)rng.Next(256);
                        break;
                    default:
                        // Payload lengths inside the cleartext part.
                        if (data.Length > 32) data[30 + rng.Next(2)] = (byte)rng.Next(256);
                        break;
                }
                // To its real receiver, and to the other engine as if sent to it.
                var (to, other) = d.Destination.Address.Equals(ExchangeFixture.LeftAddress) ? (f.Left, f.Right) : (f.Right, f.Left);
                to.Engine.Receive(d.Destination, d.Source, data);
                other.Engine.Receive(d.Source, d.Destination, data);
            }
        }
        f.Network.Run();

        Assert.DoesNotContain(f.Left.Log.Lines, l => l.Contains(" Error:"));
        Assert.DoesNotContain(f.Right.Log.Lines, l => l.Contains(" Error:"));
        // Mutated IKE_SA_INIT requests are new (half-open) SAs; they expire, the established ones stay.
        f.Advance(TimeSpan.FromSeconds(31), TimeSpan.FromSeconds(1));
        Assert.Equal("ESTABLISHED", f.LeftSa.State);
        Assert.Equal("ESTABLISHED", f.RightSa.State);
        Assert.Equal(2, f.Left.Kernel.Sas.Count);

        // Still fully working: delete the IKE SA cleanly.
        InitiateResult? done = null;
        f.Left.Engine.Terminate("site", null, r => done = r);
        f.Network.Run();
        Assert.True(done!.Success, done.Message);
        Assert.Empty(f.Right.Engine.ListSas());
    }
}

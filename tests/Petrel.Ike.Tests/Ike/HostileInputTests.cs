using System.Net;

namespace Petrel.Ike.Tests.Ike;

public class HostileInputTests
{
    private static IPEndPoint Attacker => new(IPAddress.Parse("203.0.113.66"), 500);
    private static IPEndPoint RightIke => new(ExchangeFixture.RightAddress, 500);

    [Fact]
    public void Garbage_truncated_and_wrong_spi_datagrams_are_dropped_without_disturbing_an_sa()
    {
        var f = ExchangeFixture.Create();
        Assert.True(f.Initiate()!.Success);
        var auth = f.Network.Delivered.First(d => d.ExchangeType == 35 && !d.IsResponse).Data;
        long before = f.Right.Engine.DroppedDatagrams;

        var rng = new Random(7);
        var inputs = new List<byte[]> { Array.Empty<byte>(), new byte[] { 0xFF, 0xFF }, new byte[27], auth[..40], auth[..^1] };
        for (int i = 0; i < 50; i++)
        {
            var b = new byte[rng.Next(0, 300)];
            rng.NextBytes(b);
            inputs.Add(b);
        }
        // A valid header with the established SA's SPIs but a tampered body (ICV fails).
        var tampered = (byte[])auth.Clone();
        tampered[^5] ^= 0x40;
        inputs.Add(tampered);
        // Same with an unknown responder SPI.
        var wrongSpi = (byte[])auth.Clone();
        wrongSpi[8] ^= 0x01;
        inputs.Add(wrongSpi);
        // Every truncation of the real request.
        for (int n = 0; n < auth.Length; n += 7) inputs.Add(auth[..n]);

        foreach (var input in inputs)
            f.Right.Engine.Receive(RightIke, Attacker, input);

        Assert.True(f.Right.Engine.DroppedDatagrams - before >= inputs.Count - 2);
        Assert.True(f.Right.Engine.IntegrityFailures >= 1);
        Assert.DoesNotContain(f.Right.Log.Lines, l => l.Contains("Error"));
        Assert.Equal("ESTABLISHED", f.RightSa.State);
        Assert.Equal(2, f.Right.Kernel.Sas.Count);

        // The SA still works: a child can be added and deleted.
        var done = (InitiateResult?)null;
        f.Left.Engine.Terminate("site", "net", r => done = r);
        f.Network.Run();
        Assert.True(done!.Success);
        Assert.Empty(f.Right.Kernel.Sas);
    }

    [Fact]
    public void Replayed_old_request_is_answered_from_cache_and_not_processed_twice()
    {
        var f = ExchangeFixture.Create();
        Assert.True(f.Initiate()!.Success);
        var auth = f.Network.Delivered.First(d => d.ExchangeType == 35 && !d.IsResponse);
        int installs = f.Right.Kernel.Log.Count;

        f.Network.Inject(auth.Source, auth.Destination, auth.Data);
        f.Network.Run();

        Assert.Equal(installs, f.Right.Kernel.Log.Count);
        Assert.True(f.Network.Delivered[^1].IsResponse);
    }

    [Fact]
    public void Unknown_critical_payload_in_ike_sa_init_is_refused()
    {
        var f = ExchangeFixture.Create();
        Datagram? init = null;
        f.Network.Intercept(d => d.ExchangeType == 34 && !d.IsResponse, d => { init = d; return false; });
        f.Left.Engine.Initiate("site", null, _ => { });
        f.Network.Run();
        f.Network.ClearRules();

        // Append an unknown payload type 200 with the critical bit to the end of the chain.
        var data = init!.Data;
        int offset = 28, next = data[16];
        int lastOffset = 0;
        while (next != 0)
        {
            lastOffset = offset;
            next = data[offset];
            offset += (data[offset + 2] << 8) | data[offset + 3];
        }
        var extended = new byte[data.Length + 8];
        data.CopyTo(extended, 0);
        extended[lastOffset] = 200;
        extended[data.Length + 1] = 0x80;
        extended[data.Length + 3] = 8;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(extended.AsSpan(24), (uint)extended.Length);
        f.Network.Inject(init.Source, init.Destination, extended);
        f.Network.Run();

        Assert.Contains("unsupported critical payload 200", f.Right.Log.All);
        Assert.Empty(f.Right.Engine.ListSas());
    }
}

using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Tests.Packets;

namespace Petrel.DataPlane.Tests.Pipeline;

/// <summary>
/// RFC 4303 §3.3.3: a 32-bit sequence counter must not cycle, so the SA has to be replaced first. The data plane
/// asks IKE for that once, 2^28 numbers before the end (<see cref="EspSa.SequenceRekeyMark"/>).
/// </summary>
public class SequenceExhaustionTests
{
    private static readonly byte[] Ping = TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.1");

    [Fact]
    public void A_32_bit_counter_asks_for_a_rekey_once_when_it_passes_the_mark()
    {
        using var pair = KernelPair.AesGcm128();
        var events = new List<SequenceExhaustionEvent>();
        pair.A.SequenceExhaustion += events.Add;
        pair.A.FindSa(KernelPair.SpiAToB, SaDirection.Outbound)!.ResumeSequenceAfter(EspSa.SequenceRekeyMark - 3);

        for (int i = 0; i < 2; i++)
            Assert.Equal(DropReason.None, KernelPair.Send(pair.A, Ping));
        Assert.Empty(events); // numbers mark-2 and mark-1
        for (int i = 0; i < 5; i++)
            Assert.Equal(DropReason.None, KernelPair.Send(pair.A, Ping));

        var e = Assert.Single(events);
        Assert.Equal(KernelPair.SpiAToB, e.Spi);
        Assert.Equal(KernelPair.ReqId, e.ReqId);
        Assert.Equal(EspSa.SequenceRekeyMark + 1, e.Sequence);
        // The packets still flow until the real end (2^32-1); the peer accepts them.
        Assert.Equal(7, pair.TunB.Written.Count);
    }

    [Fact]
    public void A_counter_with_esn_never_asks()
    {
        using var pair = KernelPair.AesGcm128(esn: true);
        var events = new List<SequenceExhaustionEvent>();
        pair.A.SequenceExhaustion += events.Add;
        pair.A.FindSa(KernelPair.SpiAToB, SaDirection.Outbound)!.ResumeSequenceAfter(EspSa.SequenceRekeyMark - 1);
        for (int i = 0; i < 4; i++)
            Assert.Equal(DropReason.None, KernelPair.Send(pair.A, Ping));
        Assert.Empty(events);
    }

    [Fact]
    public void The_mark_leaves_2_to_the_28_packets_of_headroom() =>
        Assert.Equal((ulong)uint.MaxValue - (1UL << 28), EspSa.SequenceRekeyMark);
}

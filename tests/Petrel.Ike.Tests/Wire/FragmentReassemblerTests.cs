using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Wire;

public class FragmentReassemblerTests
{
    private readonly SkCipher _sender, _receiver;

    public FragmentReassemblerTests()
    {
        Assert.True(AlgorithmCatalog.TryFind(new Transform(TransformType.Encryption, 20, 256), out var gcm));
        var key = Enumerable.Range(0, gcm.Encryption!.KeyLength).Select(i => (byte)i).ToArray();
        _sender = new SkCipher(gcm.Encryption, key, null, default, new SeededRandom(1));
        _receiver = new SkCipher(gcm.Encryption, key, null, default, new SeededRandom(2));
    }

    private static IkeMessage Request(uint messageId, int vendorIds = 6)
    {
        var m = new IkeMessage { InitiatorSpi = 1, ResponderSpi = 2, ExchangeType = ExchangeType.IkeAuth, IsInitiator = true, MessageId = messageId };
        for (int i = 0; i < vendorIds; i++)
            m.Payloads.Add(new VendorIdPayload(Enumerable.Repeat((byte)(i + messageId), 40).ToArray()));
        m.Payloads.Add(new NotifyPayload(NotifyType.InitialContact));
        return m;
    }

    private IkeMessage Received(byte[] fragment)
    {
        Assert.Equal(IkeDecodeStatus.Success, IkeMessage.TryDecode(fragment, _receiver, out var m, out string error));
        Assert.NotNull(m);
        Assert.Equal("", error);
        return m!;
    }

    private static byte[] Payloads(IkeMessage m)
    {
        var copy = new IkeMessage();
        copy.Payloads.AddRange(m.Payloads);
        return copy.Encode()[28..];
    }

    [Fact]
    public void Fragments_in_any_order_reassemble_once_all_arrive()
    {
        var original = Request(1);
        var fragments = original.EncodeFragments(_sender, 120);
        Assert.True(fragments.Count >= 3);
        var reassembler = new IkeFragmentReassembler();
        var order = Enumerable.Range(0, fragments.Count).Reverse().ToList();
        IkeMessage? complete = null;
        for (int k = 0; k < order.Count; k++)
        {
            var result = reassembler.Add(Received(fragments[order[k]]), out complete, out _);
            Assert.Equal(k == order.Count - 1 ? FragmentAddResult.Complete : FragmentAddResult.Incomplete, result);
        }
        Assert.NotNull(complete);
        Assert.True(complete!.WasEncrypted);
        Assert.Equal(1u, complete.MessageId);
        Assert.Equal(ExchangeType.IkeAuth, complete.ExchangeType);
        Assert.Equal(Payloads(original), Payloads(complete));
    }

    [Fact]
    public void Duplicates_and_older_messages_are_ignored()
    {
        var reassembler = new IkeFragmentReassembler();
        var second = Request(2).EncodeFragments(_sender, 120);
        Assert.Equal(FragmentAddResult.Incomplete, reassembler.Add(Received(second[0]), out _, out _));
        Assert.Equal(FragmentAddResult.Ignored, reassembler.Add(Received(second[0]), out _, out string dup));
        Assert.Contains("duplicate", dup);
        var first = Request(1).EncodeFragments(_sender, 120);
        Assert.Equal(FragmentAddResult.Ignored, reassembler.Add(Received(first[1]), out _, out _));
        for (int i = 1; i < second.Count - 1; i++)
            Assert.Equal(FragmentAddResult.Incomplete, reassembler.Add(Received(second[i]), out _, out _));
        Assert.Equal(FragmentAddResult.Complete, reassembler.Add(Received(second[^1]), out var complete, out _));
        Assert.Equal(2u, complete!.MessageId);
    }

    [Fact]
    public void Refragmenting_with_more_fragments_starts_over_and_fewer_is_ignored()
    {
        var original = Request(3);
        var large = original.EncodeFragments(_sender, 200);
        var small = original.EncodeFragments(_sender, 100);
        Assert.True(small.Count > large.Count);
        var reassembler = new IkeFragmentReassembler();
        Assert.Equal(FragmentAddResult.Incomplete, reassembler.Add(Received(large[0]), out _, out _));
        // §2.6.2: a greater Total Fragments discards what was collected.
        for (int i = 0; i < small.Count - 1; i++)
            Assert.Equal(FragmentAddResult.Incomplete, reassembler.Add(Received(small[i]), out _, out _));
        Assert.Equal(FragmentAddResult.Ignored, reassembler.Add(Received(large[1]), out _, out _));
        Assert.Equal(FragmentAddResult.Complete, reassembler.Add(Received(small[^1]), out var complete, out _));
        Assert.Equal(Payloads(original), Payloads(complete!));
    }

    [Fact]
    public void A_newer_message_replaces_an_unfinished_one()
    {
        var reassembler = new IkeFragmentReassembler();
        Assert.Equal(FragmentAddResult.Incomplete, reassembler.Add(Received(Request(4).EncodeFragments(_sender, 120)[0]), out _, out _));
        var next = Request(5).EncodeFragments(_sender, 120);
        FragmentAddResult last = FragmentAddResult.Ignored;
        IkeMessage? complete = null;
        foreach (var f in next) last = reassembler.Add(Received(f), out complete, out _);
        Assert.Equal(FragmentAddResult.Complete, last);
        Assert.Equal(5u, complete!.MessageId);
    }

    [Fact]
    public void Limits_on_fragment_count_and_size_hold()
    {
        var fragments = Request(6, vendorIds: 20).EncodeFragments(_sender, 100);
        Assert.Equal(FragmentAddResult.Ignored, new IkeFragmentReassembler(maxFragments: fragments.Count - 1).Add(Received(fragments[0]), out _, out string tooMany));
        Assert.Contains("limit", tooMany);

        var small = new IkeFragmentReassembler(maxBytes: 200);
        FragmentAddResult result = FragmentAddResult.Incomplete;
        string error = "";
        foreach (var f in fragments)
        {
            result = small.Add(Received(f), out _, out error);
            if (result != FragmentAddResult.Incomplete) break;
        }
        Assert.Equal(FragmentAddResult.Ignored, result);
        Assert.Contains("exceed", error);
    }

    [Fact]
    public void Undecrypted_fragments_are_refused()
    {
        var fragment = Request(7).EncodeFragments(_sender, 120)[0];
        Assert.Equal(IkeDecodeStatus.Success, IkeMessage.TryDecode(fragment, null, out var opaque, out _));
        Assert.Equal(FragmentAddResult.Ignored, new IkeFragmentReassembler().Add(opaque!, out _, out string error));
        Assert.Contains("decrypted", error);
    }

    [Fact]
    public void A_broken_inner_chain_is_invalid_syntax()
    {
        var m = new IkeMessage { ExchangeType = ExchangeType.IkeAuth, IsInitiator = true, MessageId = 8 };
        m.Payloads.Add(new VendorIdPayload(new byte[100]));
        m.Payloads.Add(new UnknownPayload(PayloadType.Delete, Hex.Parse("03 04 0005 c0ffee01"))); // 5 SPIs announced, 1 present
        var reassembler = new IkeFragmentReassembler();
        FragmentAddResult result = FragmentAddResult.Incomplete;
        string error = "";
        foreach (var f in m.EncodeFragments(_sender, 80))
            result = reassembler.Add(Received(f), out _, out error);
        Assert.Equal(FragmentAddResult.InvalidSyntax, result);
        Assert.Contains("SPIs", error);
    }
}

using Petrel.DataPlane.Esp;

namespace Petrel.DataPlane.Tests.Esp;

public class ReplayWindowTests
{
    private static bool Accept(ReplayWindow w, uint wire)
    {
        if (!w.Check(wire, out ulong seq))
            return false;
        return w.Update(seq);
    }

    // A fresh SA starts at 1; walk up in steps the inference can follow (less than 2^31 apart).
    private static void Advance(ReplayWindow w, uint to)
    {
        Assert.True(Accept(w, 1));
        Assert.True(Accept(w, 1u << 31));
        Assert.True(Accept(w, to));
    }

    [Fact]
    public void Sequence_zero_is_never_accepted()
    {
        var w = new ReplayWindow(64, false);
        Assert.False(w.Check(0, out _));
        Assert.True(Accept(w, 1));
    }

    [Fact]
    public void Duplicate_is_rejected_and_in_order_accepted()
    {
        var w = new ReplayWindow(64, false);
        for (uint i = 1; i <= 200; i++)
            Assert.True(Accept(w, i));
        Assert.False(Accept(w, 200));
        Assert.False(Accept(w, 150));
        Assert.Equal(200UL, w.Highest);
    }

    [Fact]
    public void Out_of_order_within_window_is_accepted_once()
    {
        var w = new ReplayWindow(64, false);
        Assert.True(Accept(w, 100));
        Assert.True(Accept(w, 37)); // 100 - 37 = 63 < 64: last slot inside the window
        Assert.False(Accept(w, 37));
        Assert.False(Accept(w, 36)); // 64 behind the top: too old
        Assert.True(Accept(w, 99));
        Assert.True(Accept(w, 50));
    }

    [Fact]
    public void Check_does_not_move_the_window_until_update()
    {
        var w = new ReplayWindow(32, false);
        Assert.True(Accept(w, 10));
        Assert.True(w.Check(1000, out ulong seq)); // e.g. forged: ICV would fail, no Update
        Assert.Equal(1000UL, seq);
        Assert.Equal(10UL, w.Highest);
        Assert.True(Accept(w, 9));
    }

    [Fact]
    public void Update_rejects_a_duplicate_that_passed_check_twice()
    {
        var w = new ReplayWindow(64, false);
        Assert.True(w.Check(5, out var a));
        Assert.True(w.Check(5, out var b));
        Assert.True(w.Update(a));
        Assert.False(w.Update(b));
    }

    [Fact]
    public void Large_jump_clears_the_whole_bitmap()
    {
        var w = new ReplayWindow(128, false);
        for (uint i = 1; i <= 128; i++)
            Assert.True(Accept(w, i));
        Assert.True(Accept(w, 10_000));
        // Bits from the old positions must not leak into the new window.
        for (uint i = 10_000 - 127; i < 10_000; i++)
            Assert.True(Accept(w, i), $"seq {i}");
        Assert.False(Accept(w, 10_000 - 128));
    }

    [Fact]
    public void Sliding_by_one_block_boundary_keeps_recent_bits()
    {
        var w = new ReplayWindow(64, false);
        Assert.True(Accept(w, 63));
        Assert.True(Accept(w, 64)); // crosses into the next 64-bit block
        Assert.False(Accept(w, 63));
        Assert.True(Accept(w, 62));
        Assert.True(Accept(w, 130));
        Assert.False(Accept(w, 64)); // 130 - 64 = 66 >= 64
        Assert.True(Accept(w, 67));
    }

    [Theory]
    [InlineData(32)]
    [InlineData(128)]
    [InlineData(1000)]
    [InlineData(4096)]
    [InlineData(8192)]
    public void Window_of_configured_size_accepts_exactly_size_slots(int size)
    {
        var w = new ReplayWindow(size, false);
        uint top = (uint)size * 3;
        Assert.True(Accept(w, top));
        for (uint i = top - (uint)size + 1; i < top; i++)
            Assert.True(Accept(w, i));
        Assert.False(Accept(w, top - (uint)size));
        for (uint i = top - (uint)size + 1; i <= top; i++)
            Assert.False(Accept(w, i));
    }

    [Fact]
    public void Disabled_window_accepts_duplicates_but_not_zero()
    {
        var w = new ReplayWindow(0, false);
        Assert.True(Accept(w, 5));
        Assert.True(Accept(w, 5));
        Assert.True(Accept(w, 1));
        Assert.False(w.Check(0, out _));
    }

    [Fact]
    public void Non_esn_window_at_top_of_32_bit_space()
    {
        var w = new ReplayWindow(64, false);
        Assert.True(Accept(w, uint.MaxValue));
        Assert.True(Accept(w, uint.MaxValue - 10));
        Assert.False(Accept(w, uint.MaxValue));
        // Without ESN a small number after the top is simply too old (the sender must rekey).
        Assert.False(Accept(w, 3));
    }

    [Fact]
    public void Esn_infers_next_subspace_after_wrap()
    {
        var w = new ReplayWindow(64, true);
        Advance(w, uint.MaxValue - 1);
        Assert.True(w.Check(2, out ulong seq));
        Assert.Equal((1UL << 32) | 2, seq);
        Assert.True(w.Update(seq));
        Assert.Equal((1UL << 32) | 2, w.Highest);
        // A late packet from the previous subspace (window spans two subspaces: case B).
        Assert.True(w.Check(uint.MaxValue, out seq));
        Assert.Equal((ulong)uint.MaxValue, seq);
        Assert.True(w.Update(seq));
        Assert.False(Accept(w, uint.MaxValue));
        Assert.False(Accept(w, uint.MaxValue - 1));
        // Below the window in the previous subspace cannot be told from far ahead in the
        // current one: A2.2 picks the current subspace and the ICV decides.
        Assert.True(w.Check(uint.MaxValue - 70, out seq));
        Assert.Equal((1UL << 32) | (uint.MaxValue - 70), seq);
    }

    [Fact]
    public void Esn_high_bits_change_in_case_a()
    {
        var w = new ReplayWindow(128, true);
        // Move the top into subspace 1, well past the bottom of the window.
        Advance(w, uint.MaxValue);
        Assert.True(Accept(w, 1000)); // infers high = 1
        Assert.Equal((1UL << 32) | 1000, w.Highest);
        Assert.True(w.Check(900, out var seq));
        Assert.Equal((1UL << 32) | 900, seq);
        // Below the window bottom (1000 - 127): treated as the next wrap (high = 2), the ICV decides.
        Assert.True(w.Check(500, out seq));
        Assert.Equal((2UL << 32) | 500, seq);
    }

    [Fact]
    public void Esn_before_first_subspace_is_dropped()
    {
        var w = new ReplayWindow(128, true);
        Assert.True(Accept(w, 5));
        Assert.False(w.Check(uint.MaxValue - 2, out _));
    }

    [Fact]
    public void Rejects_oversized_window()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayWindow(ReplayWindow.MaxSize + 1, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayWindow(-1, false));
    }
}

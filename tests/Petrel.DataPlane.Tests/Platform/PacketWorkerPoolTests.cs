using Petrel.DataPlane.Esp;
using Petrel.Platform.Host;

namespace Petrel.DataPlane.Tests.Platform;

public class PacketWorkerPoolTests
{
    /// <summary>Records which worker, thread and lane processed each item.</summary>
    private sealed class Recorder(int count) : IPartitionedWork
    {
        public readonly int[] Hits = new int[count];
        public readonly int[] Worker = new int[count];
        public readonly int[] Thread = new int[count];
        public readonly int[] Lane = new int[count];
        public int ThrowOn = -1;

        public void Run(int worker, int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                Interlocked.Increment(ref Hits[i]);
                Worker[i] = worker;
                Thread[i] = Environment.CurrentManagedThreadId;
                Lane[i] = PacketLane.Current;
                if (i == ThrowOn)
                    throw new InvalidOperationException("item " + i);
            }
        }
    }

    [Fact]
    public void Every_item_runs_once_in_contiguous_slices_with_the_helper_on_its_own_lane()
    {
        using var pool = new PacketWorkerPool(3, "test");
        Assert.Equal(3, pool.Workers);
        for (int round = 0; round < 200; round++)
        {
            int count = 7 + round % 50;
            var r = new Recorder(count);
            pool.Run(r, count);
            Assert.All(r.Hits, h => Assert.Equal(1, h));
            // Slices are contiguous and in worker order: worker numbers never go down along the items.
            for (int i = 1; i < count; i++)
                Assert.True(r.Worker[i] >= r.Worker[i - 1]);
            Assert.Equal([0, 1, 2], r.Worker.Distinct().Order().ToArray());
            Assert.Equal(r.Worker, r.Lane);
            Assert.Equal(Environment.CurrentManagedThreadId, r.Thread[0]);
            Assert.Equal(3, r.Thread.Distinct().Count());
        }
        Assert.Equal(200, pool.ParallelBatches);
    }

    /// <summary>Records each worker's nice value (what <see cref="PacketPriority"/> set on its thread).</summary>
    private sealed class NiceRecorder : IPartitionedWork
    {
        public readonly int[] Nice = new int[2];

        public void Run(int worker, int start, int end) => Nice[worker] = PacketPriority.Current();
    }

    [Fact]
    public void Helpers_run_the_start_hook_on_their_own_thread_so_a_nice_value_applies_to_them_only()
    {
        // Raising the nice value needs no privilege; each Linux thread has its own.
        string? refused = "not run";
        using var pool = new PacketWorkerPool(2, "test", () => refused = PacketPriority.Apply(7));
        var r = new NiceRecorder();
        pool.Run(r, 2, minItemsPerSlice: 1);
        Assert.Null(refused);
        Assert.Equal(7, r.Nice[1]);
        Assert.Equal(PacketPriority.Current(), r.Nice[0]);
        Assert.NotEqual(7, r.Nice[0]);
        Assert.Null(PacketPriority.Apply(0));    // 0 leaves the thread as it is
    }

    [Fact]
    public void One_worker_or_a_small_batch_runs_on_the_caller()
    {
        using var single = new PacketWorkerPool(1, "test");
        var r = new Recorder(40);
        single.Run(r, 40);
        Assert.All(r.Thread, t => Assert.Equal(Environment.CurrentManagedThreadId, t));
        Assert.Equal(0, single.ParallelBatches);

        using var pool = new PacketWorkerPool(2, "test");
        var small = new Recorder(3);
        pool.Run(small, 3);                     // 3 items, at least 2 per slice: one slice
        Assert.All(small.Thread, t => Assert.Equal(Environment.CurrentManagedThreadId, t));
        Assert.All(small.Hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void A_helpers_exception_reaches_the_caller_after_all_slices_finished()
    {
        using var pool = new PacketWorkerPool(2, "test");
        var r = new Recorder(10) { ThrowOn = 9 };   // item 9 is in the helper's slice
        var e = Assert.Throws<InvalidOperationException>(() => pool.Run(r, 10));
        Assert.Equal("item 9", e.Message);
        Assert.All(r.Hits, h => Assert.Equal(1, h));
        // The pool keeps working afterwards.
        var next = new Recorder(10);
        pool.Run(next, 10);
        Assert.All(next.Hits, h => Assert.Equal(1, h));
    }
}

using System.Collections.Concurrent;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// The responder's IKE_SA_INIT key exchange runs as a <see cref="CryptoJob"/>: the engine answers only when the job's
/// result is applied, absorbs retransmits meanwhile, sheds the SA (counted) when the executor refuses the job, applies
/// one SA's jobs in order, and sets up SAs with the real <see cref="CryptoWorkerPool"/> threads.
/// </summary>
public class CryptoWorkTests
{
    private const byte IkeSaInit = 34;

    /// <summary>Holds jobs until the test runs them (or refuses them all).</summary>
    private sealed class ManualExecutor(bool refuse = false) : ICryptoExecutor
    {
        private readonly Queue<(CryptoJob Job, Action<CryptoJob> Done)> _held = new();
        public int Held => _held.Count;

        public bool TryRun(CryptoJob job, Action<CryptoJob> done)
        {
            if (refuse) return false;
            _held.Enqueue((job, done));
            return true;
        }

        public void RunAll()
        {
            while (_held.TryDequeue(out var x))
            {
                x.Job.Execute();
                x.Done(x.Job);
            }
        }
    }

    private sealed class RecordingJob(List<string> applied, string name, Action<string>? onApply = null) : CryptoJob
    {
        public int? RanOn;
        private protected override void Run() => RanOn = Environment.CurrentManagedThreadId;
        internal override void Apply()
        {
            applied.Add(name);
            onApply?.Invoke(name);
        }
        internal override void Discard() => applied.Add(name + " discarded");
    }

    private static int SentInitResponses(ExchangeFixture f) =>
        f.Network.Delivered.Count(d => d.ExchangeType == IkeSaInit && d.IsResponse && d.Source.Address.Equals(ExchangeFixture.RightAddress));

    [Fact]
    public void The_ike_sa_init_answer_waits_for_the_key_exchange_and_retransmits_meanwhile_are_absorbed()
    {
        var f = ExchangeFixture.Create(ike: "aes128-sha256-ecp256");
        var executor = new ManualExecutor();
        f.Right.Engine.CryptoExecutor = executor;
        InitiateResult? result = null;
        f.Left.Engine.Initiate("site", null, r => result = r);
        f.Network.Run();

        Assert.Equal(1, executor.Held);
        Assert.Equal(0, SentInitResponses(f));
        Assert.Equal("CONNECTING", f.RightSa.State);

        // Left retransmits after 4 s: the same request, absorbed while the job is held.
        f.Advance(TimeSpan.FromSeconds(4.5));
        Assert.Contains("retransmitted IKE_SA_INIT request while its key exchange runs, absorbed", f.Right.Log.All);
        Assert.Equal(0, SentInitResponses(f));
        Assert.Single(f.Right.Engine.ListSas());

        executor.RunAll();
        f.Network.Run();
        executor.RunAll(); // nothing else is crypto work yet, but make sure nothing waits
        f.Network.Run();

        Assert.True(result is { Success: true }, result?.Message + "\n" + f.Right.Log.All);
        Assert.Equal(1, SentInitResponses(f));
        Assert.Equal("ESTABLISHED", f.RightSa.State);
        Assert.Equal(0, f.Right.Engine.CryptoShed);
    }

    [Fact]
    public void A_refused_job_drops_the_half_open_sa_without_an_answer_and_counts_it()
    {
        var f = ExchangeFixture.Create(ike: "aes128-sha256-ecp256");
        f.Right.Engine.CryptoExecutor = new ManualExecutor(refuse: true);
        f.Left.Engine.Initiate("site", null, _ => { });
        f.Network.Run();
        f.Advance(TimeSpan.FromSeconds(4.5)); // a retransmit is refused again

        Assert.Equal(2, f.Right.Engine.CryptoShed);
        Assert.Empty(f.Right.Engine.ListSas());
        Assert.Equal(0, SentInitResponses(f));
        // One summary line for the kind, not one per dropped request.
        Assert.Single(f.Right.Log.Lines, l => l.Contains("crypto queue full, dropping IKE_SA_INIT"));
    }

    [Fact]
    public void Jobs_of_one_sa_apply_in_submission_order_and_after_its_end_are_discarded()
    {
        var f = ExchangeFixture.Create(ike: "aes128-sha256-ecp256");
        Assert.True(f.Initiate()!.Success);
        var engine = f.Right.Engine;
        var sa = engine.FindSa(f.RightSa.UniqueId)!;
        var executor = new ManualExecutor();
        engine.CryptoExecutor = executor;
        var applied = new List<string>();

        // The second job, submitted while the first applies, goes behind the third.
        Assert.True(engine.RunCrypto(sa, new RecordingJob(applied, "a", n => { if (n == "a") engine.RunCrypto(sa, new RecordingJob(applied, "d"), false); }), false));
        Assert.True(engine.RunCrypto(sa, new RecordingJob(applied, "b"), false));
        Assert.True(engine.RunCrypto(sa, new RecordingJob(applied, "c"), false));
        Assert.Equal(1, executor.Held); // one job of an SA at a time
        executor.RunAll();
        Assert.Equal(["a", "b", "c", "d"], applied);

        applied.Clear();
        engine.RunCrypto(sa, new RecordingJob(applied, "e"), false);
        engine.RunCrypto(sa, new RecordingJob(applied, "f"), false);
        engine.Terminate("site", null, _ => { });
        f.Network.Run();
        Assert.Empty(engine.ListSas());
        executor.RunAll();
        Assert.Equal(["e discarded", "f discarded"], applied);
    }

    [Fact]
    public void The_worker_pool_refuses_beyond_its_queue_and_posts_results_in_order()
    {
        var posted = new BlockingCollection<Action>();
        using var gate = new ManualResetEventSlim(false);
        using var started = new ManualResetEventSlim(false);
        using var pool = new CryptoWorkerPool(workers: 1, capacity: 2, posted.Add);
        var applied = new List<string>();
        var blocker = new BlockingJob(gate, started, applied);

        Assert.True(pool.TryRun(blocker, j => j.Apply()));
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        var b = new RecordingJob(applied, "b");
        var c = new RecordingJob(applied, "c");
        Assert.True(pool.TryRun(b, j => j.Apply()));
        Assert.True(pool.TryRun(c, j => j.Apply()));
        Assert.False(pool.TryRun(new RecordingJob(applied, "refused"), j => j.Apply()));
        Assert.Equal(1, pool.Refused);
        Assert.Equal(2, pool.Waiting);

        gate.Set();
        for (int i = 0; i < 3; i++)
        {
            Assert.True(posted.TryTake(out var action, TimeSpan.FromSeconds(10)));
            action();
        }
        Assert.Equal(["blocker", "b", "c"], applied);
        Assert.NotEqual(Environment.CurrentManagedThreadId, b.RanOn);
        Assert.Equal(3, pool.Completed);
    }

    private sealed class BlockingJob(ManualResetEventSlim gate, ManualResetEventSlim started, List<string> applied) : CryptoJob
    {
        private protected override void Run()
        {
            started.Set();
            gate.Wait(TimeSpan.FromSeconds(10));
        }
        internal override void Apply() => applied.Add("blocker");
    }

    [Fact]
    public void Ike_sas_come_up_with_the_key_exchange_on_pool_threads()
    {
        var f = ExchangeFixture.Create(ike: "aes128-sha256-ecp256");
        var posted = new BlockingCollection<Action>();
        using var pool = new CryptoWorkerPool(workers: 2, capacity: 16, posted.Add);
        f.Right.Engine.CryptoExecutor = pool;
        var results = new List<InitiateResult>();
        f.Left.Engine.Load([EnginePeer.Connection("a", ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right", "aes128-sha256-ecp256", "aes128gcm16"),
            EnginePeer.Connection("b", ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right", "aes128-sha256-ecp256", "aes128gcm16")],
            [EnginePeer.Secret("left-right-psk", "left", "right")]);
        f.Left.Engine.Initiate("a", null, results.Add);
        f.Left.Engine.Initiate("b", null, results.Add);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (results.Count < 2 && DateTime.UtcNow < until)
        {
            f.Network.Run();
            if (posted.TryTake(out var action, TimeSpan.FromMilliseconds(100))) action();
        }

        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.True(r.Success, r.Message));
        Assert.Equal(2, pool.Completed);
        Assert.Equal(2, f.Right.Engine.ListSas().Count(s => s.State == "ESTABLISHED"));
    }
}

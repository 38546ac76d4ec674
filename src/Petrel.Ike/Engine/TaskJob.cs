namespace Petrel.Ike.Engine;

/// <summary>
/// A <see cref="CryptoJob"/> of an exchange we initiate (V2/IkeTask): <c>run</c> computes from copies the task made on the
/// engine thread and keeps its result where only the task reads it, after <see cref="Then"/>; <c>discard</c> zeroes
/// that result when the SA ended before the job applied; <c>keep</c>, on the engine thread before <see cref="Then"/>, hands
/// the result to the SA.
/// </summary>
internal sealed class TaskJob(string operation, Action run, Action? discard = null, Action? keep = null) : CryptoJob
{
    public override string Operation => operation;

    /// <summary>On the engine thread once <c>run</c> is done (set by the task manager); sees <see cref="CryptoJob.Error"/>.</summary>
    public Action Then { get; set; } = () => { };

    private protected override void Run() => run();

    internal override void Apply()
    {
        keep?.Invoke();
        Then();
    }

    internal override void Discard() => discard?.Invoke();
}

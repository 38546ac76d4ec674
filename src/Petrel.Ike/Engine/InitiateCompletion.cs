namespace Petrel.Ike.Engine;

/// <summary>
/// Calls an Initiate caller back exactly once: success when the IKE SA and every requested CHILD_SA
/// are up, failure with the first reason otherwise.
/// </summary>
internal sealed class InitiateCompletion(Action<InitiateResult> done, int children)
{
    private int _pending = children;
    private bool _finished;
    private readonly List<string> _established = [];

    public void ChildUp(string description, uint ikeSaId)
    {
        if (_finished) return;
        _established.Add(description);
        if (--_pending <= 0) Finish(new InitiateResult(true, $"established {string.Join(", ", _established)}", ikeSaId));
    }

    public void Fail(string reason, uint ikeSaId)
    {
        if (_finished) return;
        Finish(new InitiateResult(false, reason, ikeSaId));
    }

    private void Finish(InitiateResult r)
    {
        _finished = true;
        done(r);
    }
}

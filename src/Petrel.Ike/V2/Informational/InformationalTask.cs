using Petrel.Crypto.Proposals;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.Informational;

/// <summary>
/// INFORMATIONAL as initiator (RFC 7296 §1.4): delete CHILD_SAs, delete the IKE SA, or an empty
/// liveness check. A child delete removes the SAs once the peer's answer arrives (§1.4.1); an IKE SA
/// delete ends the SA when answered, or when retransmission gives up.
/// </summary>
internal sealed class InformationalTask : IkeTask
{
    private readonly IIkeContext _context;
    private readonly List<ChildSa> _children;
    private readonly bool _deleteIke;
    private readonly Action<InitiateResult>? _done;

    private InformationalTask(IIkeContext context, List<ChildSa> children, bool deleteIke, Action<InitiateResult>? done)
    {
        _context = context;
        _children = children;
        _deleteIke = deleteIke;
        _done = done;
    }

    public static InformationalTask DeleteChildren(IIkeContext context, List<ChildSa> children, Action<InitiateResult>? done) => new(context, children, false, done);
    public static InformationalTask DeleteIkeSa(IIkeContext context, Action<InitiateResult>? done) => new(context, [], true, done);
    public static InformationalTask Liveness(IIkeContext context) => new(context, [], false, null);

    public override ExchangeType Exchange => ExchangeType.Informational;

    public override void BuildRequest(IkeSa sa, IkeMessage request)
    {
        if (_deleteIke)
        {
            sa.MoveTo(IkeSaState.Deleting);
            request.Payloads.Add(DeletePayload.ForIkeSa());
            _context.Log.Info(sa, $"deleting IKE_SA {sa.Tag} between {sa.Local}...{sa.Remote}");
            return;
        }
        if (_children.Count == 0) return;
        var bySpi = new List<uint>(_children.Count);
        foreach (var c in _children)
        {
            c.MoveTo(ChildSaState.Deleting);
            bySpi.Add(c.SpiIn);
            _context.Log.Info(sa, $"deleting CHILD_SA {c.Config.Name}{{{c.UniqueId}}} with SPIs {c.SpiIn:x8}_i {c.SpiOut:x8}_o");
        }
        // §3.11: we name our inbound SPIs; the peer removes its outbound SAs with them.
        request.Payloads.Add(new DeletePayload(_children[0].Protocol, bySpi));
    }

    public override TaskOutcome ProcessResponse(IkeSa sa, IkeMessage response)
    {
        if (_deleteIke)
        {
            _context.Log.Info(sa, "IKE_SA deleted");
            _done?.Invoke(new InitiateResult(true, $"IKE_SA {sa.Tag} deleted", sa.UniqueId));
            return TaskOutcome.DestroySa;
        }
        foreach (var c in _children)
            _context.Children.Remove(sa, c);
        if (_children.Count > 0)
        {
            _context.Log.Info(sa, $"CHILD_SA {string.Join(", ", _children.Select(c => $"{c.Config.Name}{{{c.UniqueId}}}"))} deleted");
            _done?.Invoke(new InitiateResult(true, $"CHILD_SA {string.Join(", ", _children.Select(c => c.Config.Name))} deleted", sa.UniqueId));
        }
        return TaskOutcome.Done;
    }

    public override void Abort(IkeSa sa, string reason)
    {
        // The peer is gone or refuses to talk: what we wanted deleted is deleted locally anyway.
        _done?.Invoke(new InitiateResult(_deleteIke, _deleteIke ? $"IKE_SA {sa.Tag} deleted locally ({reason})" : reason, sa.UniqueId));
    }
}

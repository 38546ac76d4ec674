using System.Net;
using Microsoft.Extensions.Logging;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2;

/// <summary>
/// The IKEv2 task manager (strongSwan's task_manager_v2): per IKE SA, the message-ID windows of RFC 7296 §2.3
/// (a window of one each way), the outstanding request with its retransmissions and back-off (§2.1), the cached
/// last response, and the queue of exchanges still to initiate. Tasks build requests and process responses;
/// this class numbers, protects, sends and retransmits them, one at a time. The state lives on the
/// <see cref="IkeSa"/>; the engine dispatches requests to the responders and owns the SA's end.
/// </summary>
internal sealed class TaskManager(IIkeContext context)
{
    public static IkeMessage NewMessage(IkeSa sa, ExchangeType exchange, bool response, uint messageId) => new()
    {
        InitiatorSpi = sa.SpiI,
        ResponderSpi = sa.SpiR,
        ExchangeType = exchange,
        Flags = (sa.IsInitiator ? IkeHeaderFlags.Initiator : IkeHeaderFlags.None) | (response ? IkeHeaderFlags.Response : IkeHeaderFlags.None),
        MessageId = messageId,
    };

    public void Queue(IkeSa sa, IkeTask task)
    {
        sa.Tasks.Enqueue(task);
        Pump(sa);
    }

    /// <summary>Starts the next queued exchange if none is outstanding (§2.3: window of one).</summary>
    public void Pump(IkeSa sa)
    {
        context.Scheduler.Touch(sa);
        if (sa.State == IkeSaState.Destroying || sa.Outstanding is not null || sa.Deferred is not null || sa.Preparing is not null) return;
        // A queued rekey whose SA was deleted or rekeyed by the peer meanwhile is dropped, not sent.
        while (sa.Tasks.Count > 0 && sa.Tasks.Peek().IsObsolete(sa)) sa.Tasks.Dequeue().Abort(sa, "no longer needed");
        if (sa.Tasks.Count == 0) return;
        // Only IKE_SA_INIT may go before keys exist, and nothing but IKE_AUTH right after it.
        Send(sa, sa.Tasks.Dequeue());
    }

    /// <summary>Builds, numbers, protects and sends a task's request; it stays outstanding until answered or given up.</summary>
    public void Send(IkeSa sa, IkeTask task)
    {
        bool init = task.Exchange == ExchangeType.IkeSaInit;
        uint mid = init ? 0 : sa.NextRequestId;
        var m = NewMessage(sa, task.Exchange, response: false, mid);
        byte[] bytes;
        IReadOnlyList<byte[]>? fragments = null;
        try
        {
            if (task.Prepare(sa) is { } job)
            {
                // The request needs a key pair or signature first: a worker makes it, then this is called again.
                sa.StartPreparing(task);
                job.Then = () => Prepared(sa);
                context.Scheduler.RunCrypto(sa, job, halfOpen: false);
                return;
            }
            task.BuildRequest(sa, m);
            if (init)
            {
                bytes = m.Encode();
            }
            else
            {
                var datagrams = context.Sender.EncodeProtected(sa, m);
                bytes = datagrams[0];
                if (datagrams.Count > 1) fragments = datagrams;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // IkeSetupException: the configuration cannot produce this request (no PSK …); anything else is a bug
            // or a failing primitive. Either way this exchange fails, not the caller of Initiate or Tick.
            if (e is not IkeSetupException) context.Log.Error(sa, $"cannot build {task.Exchange} request: {e.GetType().Name}: {e.Message}");
            else context.Log.Warn(sa, e.Message);
            task.Abort(sa, e.Message);
            if (sa.State is not (IkeSaState.Established or IkeSaState.Rekeying)) context.Sas.Destroy(sa, e.Message);
            else Pump(sa);
            return;
        }
        if (init)
        {
            sa.InitRequest = bytes;
        }
        sa.RequestSent(mid);
        sa.SetOutstanding(new PendingRequest { MessageId = mid, Bytes = bytes, Fragments = fragments, Task = task, Deadline = context.Clock.Now + context.Options.RetransmitTimeout });
        // The timer queue must learn the retransmit deadline: a request sent after its crypto job (Prepared) comes
        // from no Pump, so without this a lost first message was never retransmitted.
        context.Scheduler.Touch(sa);
        context.Events.CountRequest(task.Exchange, sa);
        context.Log.Debug(sa, $"sending {task.Exchange} request {mid} to {sa.Remote} ({(fragments is null ? $"{bytes.Length} bytes" : $"{fragments.Count} fragments")})");
        context.Sender.SendAll(sa.Local, sa.Remote, bytes, fragments);
    }

    /// <summary>A response arrived: it must answer the outstanding request; the task's outcome decides what follows.</summary>
    public void OnResponse(IkeSa sa, IkeMessage m)
    {
        var pending = sa.Outstanding;
        if (pending is null || m.MessageId != pending.MessageId)
        {
            context.Log.Drop(sa, sa.Remote, $"{m.ExchangeType} response {m.MessageId} does not answer our outstanding request");
            return;
        }
        sa.TakeOutstanding();
        Conclude(sa, m, pending, pending.Task.ProcessResponse(sa, m));
    }

    /// <summary>What follows a response: the next request, a retry, the SA's end, a wait for a CRL or a crypto worker.</summary>
    private void Conclude(IkeSa sa, IkeMessage m, PendingRequest pending, TaskOutcome outcome)
    {
        switch (outcome)
        {
            case TaskOutcome.Retry:
                Send(sa, pending.Task);
                break;
            case TaskOutcome.DestroySa:
                context.Sas.Destroy(sa, $"{pending.Task.Exchange} ended the IKE SA");
                break;
            case TaskOutcome.Deferred:
                context.Scheduler.Defer(sa, m, pending);
                break;
            case TaskOutcome.Working:
                // The response is parked (nothing else is sent, its retransmits are absorbed) until the job has applied.
                var (job, then) = pending.Task.TakeOffloaded();
                sa.Defer(new DeferredAuth(m, pending, "a crypto worker", Crypto: true));
                job.Then = () => Continue(sa, then);
                context.Scheduler.RunCrypto(sa, job, halfOpen: false);
                break;
            default:
                Pump(sa);
                break;
        }
    }

    /// <summary>On the engine thread: a task's crypto job applied; its continuation decides what follows the parked response.</summary>
    private void Continue(IkeSa sa, Func<TaskOutcome> then)
    {
        if (sa.Deferred is not { Crypto: true } || sa.State == IkeSaState.Destroying) return;
        var parked = sa.TakeDeferred()!;
        Conclude(sa, parked.Message, parked.Pending!, then());
    }

    /// <summary>On the engine thread: the job a request waited for applied; the request is built and sent now.</summary>
    private void Prepared(IkeSa sa)
    {
        if (sa.State == IkeSaState.Destroying || sa.TakePreparing() is not { } task) return;
        Send(sa, task);
    }

    /// <summary>
    /// §2.1/§2.3: true when the request is the next one the peer may send; a retransmission of the last one gets the
    /// cached response again, anything else is dropped.
    /// </summary>
    public bool AcceptRequest(IkeSa sa, IkeMessage m, IPEndPoint remote)
    {
        if (sa.LastResponse is not null && m.MessageId == sa.LastResponseId && m.MessageId + 1 == sa.ExpectedRequestId)
        {
            // §2.1: the peer did not get our response; send the very same bytes again.
            context.Log.Debug(sa, $"retransmitted {m.ExchangeType} request {m.MessageId}, sending the cached response");
            context.Sender.SendAll(sa.Local, sa.Remote, sa.LastResponse, sa.LastResponseFragments);
            return false;
        }
        if (m.MessageId != sa.ExpectedRequestId)
        {
            context.Log.Drop(sa, remote, $"{m.ExchangeType} request with message ID {m.MessageId}, expected {sa.ExpectedRequestId}");
            return false;
        }
        return true;
    }

    /// <summary>Protects and sends a response, keeping it for a retransmitted request (§2.1), and opens the window for the next.</summary>
    public void SendResponse(IkeSa sa, IkeMessage response)
    {
        var datagrams = context.Sender.EncodeProtected(sa, response);
        sa.CacheResponse(response.MessageId, datagrams[0], datagrams.Count > 1 ? datagrams : null);
        context.Events.CountResponse(response.ExchangeType, sa);
        context.Sender.SendAll(sa.Local, sa.Remote, sa.LastResponse, sa.LastResponseFragments);
    }

    /// <summary>
    /// §2.1: resends the outstanding request when its time has come, each time waiting longer
    /// (retransmit_timeout × retransmit_base^n). False when the tries are used up: the peer is not answering.
    /// </summary>
    public bool Retransmit(IkeSa sa, TimeSpan now)
    {
        var pending = sa.Outstanding;
        if (pending is null || now < pending.Deadline) return true;
        var options = context.Options;
        if (pending.Retransmits >= options.RetransmitTries)
        {
            context.Log.Warn(sa, $"giving up after {pending.Retransmits} retransmits of {pending.Task.Exchange} request {pending.MessageId}: peer {sa.Remote} does not answer");
            context.Events.Failed(sa, SaFailure.Timeout, $"giving up after {pending.Retransmits} retransmits of {pending.Task.Exchange} request {pending.MessageId}: peer {sa.Remote} does not answer");
            return false;
        }
        pending.Retransmits++;
        context.Events.CountRetransmit(sa);
        pending.Deadline = now + TimeSpan.FromTicks((long)(options.RetransmitTimeout.Ticks * Math.Pow(options.RetransmitBase, pending.Retransmits)));
        context.Log.Info(sa, $"retransmit {pending.Retransmits} of {pending.Task.Exchange} request {pending.MessageId} to {sa.Remote}");
        context.Sender.SendAll(sa.Local, sa.Remote, pending.Bytes, pending.Fragments);
        return true;
    }

    /// <summary>A one-shot INFORMATIONAL request carrying one notify (no retransmission; used right before dropping an SA).</summary>
    public void SendNotifyOnce(IkeSa sa, NotifyType type)
    {
        if (sa.CipherOut is null) return;
        uint mid = sa.NextRequestId;
        sa.RequestSent(mid);
        var m = NewMessage(sa, ExchangeType.Informational, response: false, mid);
        m.Payloads.Add(new NotifyPayload(type));
        context.Sender.SendRaw(sa.Local, sa.Remote, m.Encode(sa.CipherOut));
    }

    /// <summary>Queued exchanges that will not be sent any more (the SA goes away, or a delete goes first).</summary>
    public static void AbortQueued(IkeSa sa, string reason)
    {
        while (sa.Tasks.Count > 0) sa.Tasks.Dequeue().Abort(sa, reason);
    }
}

namespace Petrel.Ike.V2;

internal enum TaskOutcome
{
    /// <summary>The exchange is complete; run the next queued task.</summary>
    Done,
    /// <summary>Send the request again, rebuilt (COOKIE or INVALID_KE_PAYLOAD retry of IKE_SA_INIT, §1.2/§2.6).</summary>
    Retry,
    /// <summary>The IKE SA cannot continue and is destroyed.</summary>
    DestroySa,
    /// <summary>The response waits for a CRL fetch (<see cref="DeferredAuth"/>); it is processed again when the fetch completes.</summary>
    Deferred,
    /// <summary>
    /// The task handed work to a crypto worker (<see cref="IkeTask.Offload"/>); the response stays parked and the task's
    /// continuation gives the outcome when the job has applied.
    /// </summary>
    Working,
}

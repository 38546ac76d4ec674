using Microsoft.Extensions.Logging;
using Petrel.Ike.Certificates;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Engine;

/// <summary>
/// CRLs from distribution points (strongSwan's revocation plugin with a fetcher): fetches run outside the engine's
/// thread through <see cref="CrlFetcher"/>; an IKE_AUTH message that needs a CRL still being fetched is deferred
/// (<see cref="IkeSa.Deferred"/>: no answer, no state change, retransmits absorbed) and processed again when a fetch
/// completes, in either role.
/// </summary>
public sealed partial class IkeEngine
{
    private bool _inFetchCall;

    /// <summary>Fetches CRLs from http(s) URIs; null means no fetching (such URIs count as failed fetches).</summary>
    public ICrlFetcher? CrlFetcher { get; set; }

    /// <summary>CRLs fetched so far, by URI (kept across reloads, as strongSwan keeps its CRL cache).</summary>
    public CrlCache CrlCache { get; } = new();

    internal RevocationChecker NewRevocationChecker() =>
        new(_credentials?.Crls ?? [], issuer => _credentials?.CrlUrisOf(issuer) ?? [], CrlCache, StartCrlFetch);

    private void StartCrlFetch(string uri)
    {
        if (!uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            // strongSwan needs its ldap plugin for these; Petrel has no LDAP client.
            string scheme = uri.Contains(':', StringComparison.Ordinal) ? uri[..uri.IndexOf(':', StringComparison.Ordinal)] : uri;
            CrlFetchFailed(uri, $"{scheme} URIs are not supported (only http and https)");
            return;
        }
        if (CrlFetcher is not { } fetcher)
        {
            CrlFetchFailed(uri, "no CRL fetcher is configured");
            return;
        }
        CrlCache.MarkPending(uri);
        Log.Info(null, $"fetching CRL from '{LoggedUri.Of(uri)}'");
        _inFetchCall = true;
        try
        {
            fetcher.Fetch(uri, result => CrlFetched(uri, result));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            CrlFetchFailed(uri, e.Message);
        }
        finally
        {
            _inFetchCall = false;
        }
    }

    /// <summary>A fetch completed (on the engine's thread): cache the CRL or the failure, then retry the deferred IKE_AUTH messages.</summary>
    private void CrlFetched(string uri, CrlFetchResult result)
    {
        if (result.Body is { } body)
        {
            try
            {
                var crl = CertificateLoader.ParseCrl(body, $"CRL from '{LoggedUri.Of(uri)}'");
                CrlCache.Store(uri, crl, Clock.Now);
                Log.Info(null, $"fetched CRL of '{crl.IssuerDN}' from '{LoggedUri.Of(uri)}', next update {(crl.NextUpdate is { } next ? RevocationChecker.Time(next) : "not given")}");
            }
            catch (CertificateException e)
            {
                CrlFetchFailed(uri, e.Message);
            }
        }
        else
        {
            CrlFetchFailed(uri, result.Error);
        }
        // A fetcher that completes inside Fetch: the check that started it reads the cache right after.
        if (!_inFetchCall) ResumeDeferred();
    }

    private void CrlFetchFailed(string uri, string reason)
    {
        CrlCache.Fail(uri, reason, Clock.Now);
        Log.Warn(null, $"fetching CRL from '{LoggedUri.Of(uri)}' failed: {reason}");
    }

    /// <summary>Processes every deferred IKE_AUTH message again; one still waiting for another fetch is deferred again.</summary>
    private void ResumeDeferred()
    {
        foreach (var sa in _sas.All.ToList())
            ResumeDeferred(sa);
    }

    /// <summary>Processes one SA's deferred IKE_AUTH message again (nothing when none waits or the SA is gone).</summary>
    private void ResumeDeferred(IkeSa sa)
    {
        if (sa.V1?.CrlWait is { } wait && sa.State != IkeSaState.Destroying)
        {
            // IKEv1: the Phase 1 message with the peer's certificate (Phase1Steps.DeferForCrl).
            sa.V1.CrlWait = null;
            try
            {
                wait.Resume(sa, wait.Message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _log.LogError("{IkeSa}: deferred Phase 1 message failed: {Type}: {Message}", sa.Tag, e.GetType().Name, e.Message);
                Destroy(sa, "deferred Phase 1 message failed");
            }
            return;
        }
        // A response parked for a crypto worker continues when its job applies, not here.
        if (sa.Deferred is null || sa.Deferred.Crypto || sa.State == IkeSaState.Destroying) return;
        var d = sa.TakeDeferred()!;
        try
        {
            if (d.Pending is null)
            {
                HandleRequest(sa, d.Message, sa.Local, sa.Remote);
            }
            else
            {
                sa.SetOutstanding(d.Pending);
                HandleResponse(sa, d.Message);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.LogError("{IkeSa}: deferred IKE_AUTH failed: {Type}: {Message}", sa.Tag, e.GetType().Name, e.Message);
            Destroy(sa, "deferred IKE_AUTH failed");
        }
    }

    /// <summary>Defers an IKE_AUTH message until a CRL fetch completes (or a RADIUS server answers).</summary>
    internal void Defer(IkeSa sa, IkeMessage m, PendingRequest? pending, string waitingFor = "a CRL fetch")
    {
        sa.Defer(new DeferredAuth(m, pending, waitingFor));
        Log.Info(sa, $"IKE_AUTH {(m.IsResponse ? "response" : "request")} {m.MessageId} deferred until {(waitingFor == "a CRL fetch" ? "the CRL fetch completes" : $"{waitingFor} answers")}");
    }

    /// <summary>While an IKE_AUTH message waits for a CRL, the peer's retransmits (of it, or of its request) are absorbed.</summary>
    private bool AbsorbWhileDeferred(IkeSa sa, IkeMessage m)
    {
        // While our response waits for a crypto worker, the peer's requests are answered as usual.
        if (sa.Deferred is null || (sa.Deferred.Crypto && !m.IsResponse)) return false;
        Log.Debug(sa, $"{m.ExchangeType} {(m.IsResponse ? "response" : "request")} {m.MessageId} while waiting for {sa.Deferred.WaitingFor}, absorbed");
        return true;
    }
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Ike.Config;

namespace Petrel.Daemon;

/// <summary>
/// Answers control-socket requests. Everything that reads or changes IKE state runs on the
/// engine thread through <see cref="EngineLoop"/>; up and down wait for the engine's result
/// for at most the request's timeout.
/// </summary>
/// <param name="interfaces">The route-based interfaces opened at daemon start, shown by list-conns and list-sas.</param>
/// <param name="access">Who may run which command (SO_PEERCRED of the caller); by default the daemon's own user may run all but export-keys.</param>
public sealed class ControlHandler(EngineLoop loop, Func<Task<ControlResponse>> reload, ILogger<ControlHandler> log, Petrel.DataPlane.Kernel.IIpsecKernel? kernel = null,
    Petrel.Config.VirtualInterfaceSet? interfaces = null, ControlAccess? access = null)
{
    private readonly ControlAccess _access = access ?? ControlAccess.Owner();

    /// <summary>Null when the caller may run the command, else why not.</summary>
    public string? Refusal(Petrel.Platform.Privilege.PeerCredentials? caller, string command) => _access.Refusal(caller, command);

    /// <summary>
    /// How long up/down wait when the client gives no --timeout: longer than the engine's own
    /// give-up time (five retransmissions, 4 s × 1.8^n, about 90 s), so its reason normally arrives.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    /// <summary>The engine thread only takes the snapshot; the JSON (seconds for 100,000 SAs) is built on the caller's thread.</summary>
    private async Task<JsonNode> ListSasAsync()
    {
        var (sas, connections) = await loop.InvokeAsync(e => (e.ListSas(), e.Connections)).ConfigureAwait(false);
        return SaJson.ToJson(sas, kernel, connections, interfaces);
    }

    /// <summary>The data plane's counters, and the IKE side's: datagrams shed before the engine, and those it dropped.</summary>
    private async Task<JsonNode> StatsAsync()
    {
        var json = StatsJson.ToJson(kernel);
        var ike = await loop.InvokeAsync(e => e.Counters).ConfigureAwait(false);
        json["ike"] = new JsonObject
        {
            ["ingress_shed_new_sa"] = loop.Ingress.ShedNewSa,
            ["ingress_shed_sa"] = loop.Ingress.ShedSa,
            ["dropped"] = ike.Dropped,
            ["integrity_failures"] = ike.IntegrityFailures,
            ["dropped_by_limits"] = ike.DroppedByLimits,
            ["crypto_shed"] = ike.CryptoShed,
            ["crypto_waiting"] = ike.CryptoWaiting,
            ["crypto_capacity"] = ike.CryptoCapacity,
        };
        return json;
    }

    /// <param name="caller">Who is asking, as the kernel says (SO_PEERCRED); requests without one are refused.</param>
    public async Task<ControlResponse> HandleAsync(ControlRequest request, CancellationToken cancel, Petrel.Platform.Privilege.PeerCredentials? caller)
    {
        if (_access.Refusal(caller, request.Command) is { } refusal)
        {
            log.LogWarning("control: {Command} refused: {Reason}", request.Command, refusal);
            return ControlResponse.Failure(refusal);
        }
        try
        {
            return request.Command switch
            {
                "version" => ControlResponse.Success(result: new JsonObject { ["version"] = PetrelVersion.Text }),
                "list-sas" => ControlResponse.Success(result: await ListSasAsync().ConfigureAwait(false)),
                "list-conns" => ControlResponse.Success(result: await loop.InvokeAsync(e => (JsonNode)ConnectionJson.ToJson(e.Connections, interfaces)).ConfigureAwait(false)),
                "list-pools" => ControlResponse.Success(result: await loop.InvokeAsync(e => (JsonNode)PoolJson.ToJson(e.Pools?.List(request.Leases) ?? [], request.Leases)).ConfigureAwait(false)),
                "list-pols" => ControlResponse.Success(result: await loop.InvokeAsync(e => (JsonNode)PolicyJson.ToJson(e.ListTraps())).ConfigureAwait(false)),
                "up" => await RunAsync(request, initiate: true, cancel).ConfigureAwait(false),
                "down" => await RunAsync(request, initiate: false, cancel).ConfigureAwait(false),
                "reload" => await reload().ConfigureAwait(false),
                "stats" => ControlResponse.Success(result: await StatsAsync().ConfigureAwait(false)),
                "export-keys" => ControlResponse.Success(result: await ExportKeysAsync(caller!.Value).ConfigureAwait(false)),
                _ => ControlResponse.Failure($"unknown command '{request.Command}'"),
            };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "control request {Command} failed: {Error}", request.Command, e.Message);
            return ControlResponse.Failure($"{request.Command} failed inside the daemon: {e.Message}");
        }
    }

    private async Task<ControlResponse> RunAsync(ControlRequest request, bool initiate, CancellationToken cancel)
    {
        if (string.IsNullOrEmpty(request.Connection))
            return ControlResponse.Failure($"{request.Command} needs a connection name");
        string name = request.Connection;
        string? child = string.IsNullOrEmpty(request.Child) ? null : request.Child;

        string? problem = await loop.InvokeAsync(e => CheckNames(e.Connections, name, child)).ConfigureAwait(false);
        if (problem is not null)
            return ControlResponse.Failure(problem);

        var timeout = request.Timeout is { } t && t > 0 ? TimeSpan.FromSeconds(t) : DefaultTimeout;
        string what = child is null ? $"'{name}'" : $"'{name}' child '{child}'";
        log.LogInformation("control: {Action} {Connection} {Child}", initiate ? "initiate" : "terminate", name, child ?? "(all)");
        var operation = loop.RunOperationAsync(initiate
            ? (e, done) => e.Initiate(name, child, done)
            : (e, done) => e.Terminate(name, child, done));

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var finished = await Task.WhenAny(operation, Task.Delay(timeout, timer.Token)).ConfigureAwait(false);
        timer.Cancel();
        if (finished != operation)
        {
            cancel.ThrowIfCancellationRequested();
            return ControlResponse.Failure($"{(initiate ? "initiating" : "terminating")} {what} did not finish within {timeout.TotalSeconds:0.#} s (it goes on in the background)");
        }
        var result = await operation.ConfigureAwait(false);
        return result.Success
            ? ControlResponse.Success(result.Message, new JsonObject { ["ike_sa_id"] = result.IkeSaId })
            : ControlResponse.Failure(result.Message);
    }

    /// <summary>The message for a connection or child that is not configured, else null.</summary>
    public static string? CheckNames(IReadOnlyList<ConnectionConfig> connections, string name, string? child)
    {
        foreach (var c in connections)
        {
            if (c.Name != name)
                continue;
            if (child is null)
                return null;
            foreach (var ch in c.Children)
                if (ch.Name == child)
                    return null;
            return $"connection '{name}' has no child named '{child}'";
        }
        return $"no connection named '{name}'";
    }

    /// <summary>Every export leaves an audit line naming the caller (issue 12).</summary>
    private async Task<JsonNode> ExportKeysAsync(Petrel.Platform.Privilege.PeerCredentials caller)
    {
        var keys = await loop.InvokeAsync(ExportKeys).ConfigureAwait(false);
        log.LogWarning("export-keys: keys of {Ike} IKE SA(s) and {Esp} ESP SA direction(s) given to uid {Uid} (pid {Pid})",
            keys["ikev2"]?.AsArray().Count ?? 0, keys["esp"]?.AsArray().Count ?? 0, caller.Uid, caller.Pid);
        return keys;
    }

    private static JsonNode ExportKeys(IEngineFacade engine)
    {
        var ike = new JsonArray();
        foreach (var k in engine.ExportIkeKeys())
        {
            ike.Add(new JsonObject
            {
                ["initiator_spi"] = k.InitiatorSpi,
                ["responder_spi"] = k.ResponderSpi,
                ["sk_ei"] = k.SkEi,
                ["sk_er"] = k.SkEr,
                ["encryption_algorithm"] = k.EncryptionAlgorithm,
                ["sk_ai"] = k.SkAi,
                ["sk_ar"] = k.SkAr,
                ["integrity_algorithm"] = k.IntegrityAlgorithm,
            });
        }
        var esp = new JsonArray();
        foreach (var k in engine.ExportEspKeys())
        {
            esp.Add(new JsonObject
            {
                ["protocol"] = k.Protocol,
                ["source"] = k.SourceAddress,
                ["destination"] = k.DestinationAddress,
                ["spi"] = k.Spi,
                ["encryption_algorithm"] = k.EncryptionAlgorithm,
                ["encryption_key"] = k.EncryptionKey,
                ["authentication_algorithm"] = k.AuthenticationAlgorithm,
                ["authentication_key"] = k.AuthenticationKey,
            });
        }
        return new JsonObject { ["ikev2"] = ike, ["esp"] = esp };
    }
}

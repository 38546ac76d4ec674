using Microsoft.Extensions.Logging;

namespace Petrel.Vici;

/// <summary>
/// Decodes a command's message, finds its handler and encodes the reply. A command Petrel does not have
/// gets CMD_UNKNOWN (as charon answers it); a malformed message or a handler's failure gets a reply with
/// success = no and the reason, so the client prints one line and the daemon goes on.
/// </summary>
public sealed class ViciDispatcher(ViciServer server, ViciCommands commands, ILogger log)
{
    /// <summary>The events a client may register for: the streamed listings, the log and the SA events.</summary>
    private static readonly string[] Events =
        ["list-sa", "list-conn", "list-policy", "list-cert", "list-authority", "control-log", "log", "ike-updown", "child-updown", "ike-rekey", "child-rekey", "ike-update"];

    public ViciServer Server => server;

    public static bool IsEvent(string name) => Array.IndexOf(Events, name) >= 0;

    public async Task<(ViciPacketType Type, byte[] Message)> HandleAsync(string command, ReadOnlyMemory<byte> body, ViciSession session, CancellationToken cancel)
    {
        var handler = commands.Find(command);
        if (handler is null)
        {
            log.LogDebug("vici: unknown command '{Command}'", command);
            return (ViciPacketType.CmdUnknown, []);
        }
        if (!ViciReader.TryDecode(body.Span, out var message, out string error))
        {
            log.LogWarning("vici: {Command} request is malformed: {Error}", command, error);
            return (ViciPacketType.CmdResponse, Failure($"malformed vici message: {error}"));
        }
        try
        {
            var reply = await handler(new ViciRequest(message, session, cancel)).ConfigureAwait(false);
            return (ViciPacketType.CmdResponse, reply.ToArray());
        }
        // A client that left during a streamed listing closes its queue: that ends the session, it is no failure.
        catch (Exception e) when (e is not OperationCanceledException and not System.Threading.Channels.ChannelClosedException)
        {
            log.LogError(e, "vici: {Command} failed: {Error}", command, e.Message);
            return (ViciPacketType.CmdResponse, Failure($"{command} failed inside the daemon: {e.Message}"));
        }
    }

    public static byte[] Failure(string error) => new ViciWriter().Add("success", false).Add("errmsg", error).ToArray();
}

/// <summary>One command as a handler sees it: its arguments, the client (to stream events to) and the cancellation of that client.</summary>
public sealed record ViciRequest(ViciMessage Message, ViciSession Session, CancellationToken Cancel);

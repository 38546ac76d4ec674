using System.CommandLine;
using System.CommandLine.Help;
using System.Text.Json;
using System.Text.Json.Nodes;
using Petrel.Config;
using Petrel.Crypto.Proposals;
using Petrel.Daemon;

namespace Petrel.Cli;

/// <summary>
/// The petrel command line (System.CommandLine 2.0): the daemon, the commands that talk to it over
/// the control socket, and the offline catalogue commands. Every error is one "petrel: …" line on
/// stderr with a non-zero exit code, never a stack trace.
/// </summary>
public static class PetrelCli
{
    /// <summary>Exit code for bad arguments (as sysexits' EX_USAGE is for most tools, 2 like getopt users).</summary>
    public const int UsageError = 2;

    /// <summary>Exit code for a failure inside Petrel that is not the user's doing.</summary>
    public const int InternalError = 70;

    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = Build(stdout, stderr);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            // An unrecognized token explains more than the "required command" that follows from it.
            var error = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
            stderr.WriteLine($"petrel: {OneLine(error.Message)} (see 'petrel --help')");
            return UsageError;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (CliException e)
        {
            stderr.WriteLine($"petrel: {e.Message}");
            return e.ExitCode;
        }
        catch (ConfigException e)
        {
            stderr.WriteLine($"petrel: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"petrel: internal error: {e.GetType().Name}: {e.Message}");
            return InternalError;
        }
    }

    /// <summary>The command tree; tests parse against it without running anything.</summary>
    public static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Petrel: an IPsec VPN (IKEv2 daemon, and IKEv1 Main/Aggressive Mode with PSK or certificates and Quick Mode ESP tunnels, with a userspace ESP/AH data plane) and its command-line client.");

        root.Subcommands.Add(DaemonCommand());
        root.Subcommands.Add(UpCommand(stdout));
        root.Subcommands.Add(DownCommand(stdout));
        root.Subcommands.Add(ListSasCommand(stdout));
        root.Subcommands.Add(ListConnsCommand(stdout));
        root.Subcommands.Add(ListPoolsCommand(stdout));
        root.Subcommands.Add(ListPolsCommand(stdout));
        root.Subcommands.Add(StatsCommand(stdout));
        root.Subcommands.Add(LogCommand(stdout));
        root.Subcommands.Add(ReloadCommand(stdout));
        root.Subcommands.Add(ExportKeysCommand(stdout));
        root.Subcommands.Add(VersionCommand(stdout));
        root.Subcommands.Add(AlgorithmsCommand(stdout));
        root.Subcommands.Add(ProposalCommand(stdout, stderr));
        root.Subcommands.Add(PkiCommand.Create(stdout));

        // ---- "demo": built and owned by src/Petrel/Demo; added here as it is. ----
        root.Subcommands.Add(Petrel.Demo.DemoCommand.Create());
        return root;
    }

    private static Option<string> SocketOption() => new("--socket")
    {
        Description = $"control socket of the daemon (default {DaemonSettings.DefaultSocketPath})",
        HelpName = "PATH",
        DefaultValueFactory = _ => DaemonSettings.DefaultSocketPath,
    };

    private static Option<double?> TimeoutOption() => new("--timeout")
    {
        Description = "seconds to wait for the result (default 120)",
        HelpName = "SECONDS",
        CustomParser = r =>
        {
            string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) && v > 0 && v <= 86400)
                return v;
            r.AddError($"--timeout '{text}' is not a number of seconds from 0 to 86400");
            return null;
        },
    };

    private static Option<bool> JsonOption() => new("--json") { Description = "print JSON instead of text" };

    private static Command DaemonCommand()
    {
        var config = new Option<string>("--config")
        {
            Description = "swanctl.conf to load (default /etc/petrel/swanctl.conf)",
            HelpName = "FILE",
            DefaultValueFactory = _ => DaemonRunner.DefaultConfigPath,
        };
        var socket = new Option<string?>("--socket") { Description = "control socket (default: petrel.socket from the config, else /run/petrel/petrel.sock)", HelpName = "PATH" };
        var check = new Option<bool>("--check") { Description = "only load the configuration and its credentials, report the first error (file:line) or what would load, and exit" };
        var cmd = new Command("daemon", "run the IKEv2 daemon in the foreground; under systemd (Type=notify, packaging/petrel.service) it reports readiness and feeds the watchdog; SIGTERM deletes the SAs and exits") { config, socket, check };
        cmd.SetAction(r => r.GetValue(check) ? DaemonRunner.Check(r.GetValue(config)!, Console.Out) : DaemonRunner.Run(r.GetValue(config)!, r.GetValue(socket)));
        return cmd;
    }

    private static Command UpCommand(TextWriter stdout)
    {
        var connection = new Argument<string>("CONNECTION") { Description = "connection name (connections.NAME)" };
        var child = new Option<string?>("--child") { Description = "initiate only this child", HelpName = "CHILD" };
        var timeout = TimeoutOption();
        var socket = SocketOption();
        var cmd = new Command("up", "initiate a connection and wait until it is up") { connection, child, timeout, socket };
        cmd.SetAction(r => Operation(stdout, r.GetValue(socket)!, new ControlRequest("up", r.GetValue(connection), r.GetValue(child), r.GetValue(timeout))));
        return cmd;
    }

    private static Command DownCommand(TextWriter stdout)
    {
        var connection = new Argument<string>("CONNECTION") { Description = "connection name" };
        var child = new Option<string?>("--child") { Description = "close only this child SA", HelpName = "CHILD" };
        var timeout = TimeoutOption();
        var socket = SocketOption();
        var cmd = new Command("down", "delete the IKE SA of a connection (or one child SA)") { connection, child, timeout, socket };
        cmd.SetAction(r => Operation(stdout, r.GetValue(socket)!, new ControlRequest("down", r.GetValue(connection), r.GetValue(child), r.GetValue(timeout))));
        return cmd;
    }

    private static int Operation(TextWriter stdout, string socket, ControlRequest request)
    {
        // The daemon enforces the timeout; give the socket read a little longer so its answer arrives.
        var wait = TimeSpan.FromSeconds((request.Timeout ?? ControlHandler.DefaultTimeout.TotalSeconds) + 5);
        var response = Send(socket, request, wait);
        stdout.WriteLine(response.Message ?? $"{request.Command} {request.Connection}: done");
        return 0;
    }

    private static Command ListSasCommand(TextWriter stdout)
    {
        var json = JsonOption();
        var socket = SocketOption();
        var cmd = new Command("list-sas", "list IKE SAs and their CHILD SAs") { json, socket };
        cmd.SetAction(r =>
        {
            var response = Send(r.GetValue(socket)!, new ControlRequest("list-sas"));
            if (r.GetValue(json)) PrintJson(response.Result ?? new JsonArray(), stdout);
            else SaListPrinter.Print(response.Result, stdout);
            return 0;
        });
        return cmd;
    }

    private static Command ListConnsCommand(TextWriter stdout)
    {
        var json = JsonOption();
        var socket = SocketOption();
        var cmd = new Command("list-conns", "list the loaded connections") { json, socket };
        cmd.SetAction(r =>
        {
            var response = Send(r.GetValue(socket)!, new ControlRequest("list-conns"));
            if (r.GetValue(json)) PrintJson(response.Result ?? new JsonArray(), stdout);
            else ConnectionListPrinter.Print(response.Result, stdout);
            return 0;
        });
        return cmd;
    }

    private static Command ListPoolsCommand(TextWriter stdout)
    {
        var json = JsonOption();
        var socket = SocketOption();
        var leases = new Option<bool>("--leases") { Description = "also list each pool's leases (address, online/offline, identity)" };
        var cmd = new Command("list-pools", "list the virtual IP address pools: size, online and offline leases") { leases, json, socket };
        cmd.SetAction(r =>
        {
            var response = Send(r.GetValue(socket)!, new ControlRequest("list-pools", Leases: r.GetValue(leases)));
            if (r.GetValue(json)) PrintJson(response.Result ?? new JsonArray(), stdout);
            else PoolListPrinter.Print(response.Result, stdout);
            return 0;
        });
        return cmd;
    }

    private static Command ListPolsCommand(TextWriter stdout)
    {
        var json = JsonOption();
        var socket = SocketOption();
        var cmd = new Command("list-pols", "list the trap policies (start_action = trap, dpd_action/close_action = trap)") { json, socket };
        cmd.SetAction(r =>
        {
            var response = Send(r.GetValue(socket)!, new ControlRequest("list-pols"));
            if (r.GetValue(json)) PrintJson(response.Result ?? new JsonArray(), stdout);
            else PolicyListPrinter.Print(response.Result, stdout);
            return 0;
        });
        return cmd;
    }

    private static Command StatsCommand(TextWriter stdout)
    {
        var json = JsonOption();
        var socket = SocketOption();
        var cmd = new Command("stats", "data plane counters (packets each way, drops by reason, raw-socket batching) and IKE datagrams shed or dropped") { json, socket };
        cmd.SetAction(r =>
        {
            var response = Send(r.GetValue(socket)!, new ControlRequest("stats"));
            if (r.GetValue(json)) PrintJson(response.Result ?? new JsonObject(), stdout);
            else StatsPrinter.Print(response.Result, stdout);
            return 0;
        });
        return cmd;
    }

    private static Command LogCommand(TextWriter stdout)
    {
        var json = JsonOption();
        var socket = SocketOption();
        var level = new Option<string>("--level")
        {
            Description = "lowest level to show: trace, debug, info, warn, error, crit (below the daemon's log_level too)",
            DefaultValueFactory = _ => "info",
        };
        level.AcceptOnlyFromAmong("trace", "debug", "info", "warn", "error", "crit");
        var events = new Option<bool>("--events") { Description = "also show IKE and CHILD SA events (up, down, rekey, state changes, failures)" };
        var cmd = new Command("log", "stream the daemon's log live, like swanctl --log (until Ctrl-C)") { level, events, json, socket };
        cmd.SetAction((r, cancel) => Task.FromResult(LogStream.Run(r.GetValue(socket)!, r.GetValue(level)!, r.GetValue(events), r.GetValue(json), stdout, cancel)));
        return cmd;
    }

    private static Command ReloadCommand(TextWriter stdout)
    {
        var socket = SocketOption();
        var cmd = new Command("reload", "re-read the configuration; on an error the running one stays") { socket };
        cmd.SetAction(r =>
        {
            var response = Send(r.GetValue(socket)!, new ControlRequest("reload"));
            stdout.WriteLine(response.Message ?? "reloaded");
            return 0;
        });
        return cmd;
    }

    private static Command ExportKeysCommand(TextWriter stdout)
    {
        var dir = new Option<string>("--wireshark")
        {
            Description = "directory to write Wireshark's ikev2_decryption_table and esp_sa into (e.g. ~/.config/wireshark)",
            HelpName = "DIR",
            Required = true,
        };
        var socket = SocketOption();
        var cmd = new Command("export-keys", "export IKE and ESP keys for decrypting captures") { dir, socket };
        cmd.SetAction(r =>
        {
            var response = Send(r.GetValue(socket)!, new ControlRequest("export-keys"));
            string target = r.GetValue(dir)!;
            var (ike, esp) = WiresharkKeyWriter.Write(response.Result, target);
            stdout.WriteLine($"wrote {ike} IKEv2 SA(s) to {Path.Combine(target, WiresharkKeyWriter.IkeV2File)} and {esp} ESP SA(s) to {Path.Combine(target, WiresharkKeyWriter.EspFile)}");
            return 0;
        });
        return cmd;
    }

    private static Command VersionCommand(TextWriter stdout)
    {
        var socket = SocketOption();
        var cmd = new Command("version", "print the client's version and, if it runs, the daemon's") { socket };
        cmd.SetAction(r =>
        {
            stdout.WriteLine($"petrel {PetrelVersion.Text}");
            try
            {
                var response = Send(r.GetValue(socket)!, new ControlRequest("version"), TimeSpan.FromSeconds(5));
                stdout.WriteLine($"daemon {response.Result?["version"]?.GetValue<string>() ?? "?"}");
            }
            catch (CliException e)
            {
                stdout.WriteLine($"daemon: not reachable ({e.Message})");
            }
            return 0;
        });
        return cmd;
    }

    private static Command AlgorithmsCommand(TextWriter stdout)
    {
        var json = JsonOption();
        var cmd = new Command("algorithms", "list every algorithm Petrel knows, with strongSwan's keywords") { json };
        cmd.SetAction(r => { CatalogCommands.Algorithms(r.GetValue(json), stdout); return 0; });
        return cmd;
    }

    private static Command ProposalCommand(TextWriter stdout, TextWriter stderr)
    {
        var text = new Argument<string>("PROPOSAL") { Description = "strongSwan proposal string, e.g. aes128gcm16-prfsha256-ecp256" };
        var protocol = new Option<string>("--protocol")
        {
            Description = "what the proposal is for",
            DefaultValueFactory = _ => "ike",
        };
        protocol.AcceptOnlyFromAmong("ike", "esp", "ah");
        var cmd = new Command("proposal", "show what a proposal string means, and warn about weak algorithms") { text, protocol };
        cmd.SetAction(r =>
        {
            var p = r.GetValue(protocol) switch { "esp" => SecurityProtocol.Esp, "ah" => SecurityProtocol.Ah, _ => SecurityProtocol.Ike };
            CatalogCommands.Proposal(r.GetValue(text)!, p, stdout, stderr);
            return 0;
        });
        return cmd;
    }

    /// <summary>Sends a request and turns a daemon-side failure into the CLI's one-line error.</summary>
    private static ControlResponse Send(string socket, ControlRequest request, TimeSpan? wait = null)
    {
        var response = ControlClient.SendAsync(socket, request, wait ?? TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        if (!response.Ok)
            throw new CliException(response.Error ?? $"{request.Command} failed");
        return response;
    }

    private static string OneLine(string s) =>
        string.Join(' ', s.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static void PrintJson(JsonNode node, TextWriter w) =>
        w.WriteLine(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
}

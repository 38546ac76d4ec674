using BenchmarkDotNet.Running;
using Microsoft.Extensions.Logging;
using Petrel.Bench.Ike;

if (args.Length > 0 && args[0] == "ike-responder")
{
    // A plain loop for profilers (perf record with DOTNET_PerfMapEnabled=1): N IKE SAs, responder time per SA.
    int n = args.Length > 1 ? int.Parse(args[1]) : 1000;
    bool dataPlane = args.Contains("--data-plane");
    // --log: the daemon's own logging (console provider, Petrel's one-line formatter, info level) on stderr.
    var log = args.Contains("--log")
        ? Microsoft.Extensions.Logging.LoggerFactory.Create(b => b
            .SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Information)
            .AddConsoleFormatter<Petrel.Daemon.PetrelLogFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>()
            .AddConsole(o => { o.FormatterName = Petrel.Daemon.PetrelLogFormatter.FormatterName; o.LogToStandardErrorThreshold = Microsoft.Extensions.Logging.LogLevel.Trace; }))
        : null;
    var warm = new ResponderHandshake(50, userspaceKernel: dataPlane, responderLog: log);
    warm.SetUp(50);
    var run = new ResponderHandshake(n, userspaceKernel: dataPlane, responderLog: log);
    var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
    long before = GC.GetTotalMemory(forceFullCollection: true);
    long rssBefore = Environment.WorkingSet;
    long gen0 = GC.CollectionCount(0);
    var start = System.Diagnostics.Stopwatch.GetTimestamp();
    for (int done = 0; done < n; done += 20) run.SetUp(20);
    var wall = System.Diagnostics.Stopwatch.GetElapsedTime(start);
    var processCpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
    long after = GC.GetTotalMemory(forceFullCollection: true);
    long rssAfter = Environment.WorkingSet;
    run.DropInitiator();
    long responderOnly = GC.GetTotalMemory(forceFullCollection: true);
    Console.WriteLine($"{run.Established} of {n} IKE SAs established in {wall.TotalSeconds:0.00} s{(dataPlane ? " (userspace data plane)" : "")}; responder {run.ResponderTime.TotalMilliseconds / n:0.000} ms CPU and {run.ResponderAllocated / n / 1024.0:0.0} kB allocated per SA; both engines retain {(after - before) / n / 1024.0:0.0} kB of managed heap per SA, the responder {(responderOnly - before) / n / 1024.0:0.0} kB; process RSS +{(rssAfter - rssBefore) / n / 1024.0:0.0} kB per SA (both engines); gen0 GCs {GC.CollectionCount(0) - gen0}; process CPU (both engines, GC, log writer) {processCpu.TotalMilliseconds / n:0.000} ms per SA");
    if (args.Contains("--list"))
    {
        // What `petrel list-sas --json` does on the engine thread and in the control handler: list, then JSON text.
        var t = System.Diagnostics.Stopwatch.StartNew();
        var sas = run.Responder.ListSas();
        var listed = t.Elapsed;
        string json = Petrel.Daemon.SaJson.ToJson(sas).ToJsonString();
        Console.WriteLine($"list-sas --json of {sas.Count} IKE SAs: ListSas {listed.TotalMilliseconds:0} ms, JSON {(t.Elapsed - listed).TotalMilliseconds:0} ms, {json.Length / 1024 / 1024.0:0.0} MB; process RSS {Environment.WorkingSet / 1024 / 1024} MB (both engines and data plane)");
    }
    log?.Dispose();
    GC.KeepAlive(run);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

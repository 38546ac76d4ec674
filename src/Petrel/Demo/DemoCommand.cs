using System.CommandLine;

namespace Petrel.Demo;

/// <summary>
/// `petrel demo`: two sites in network namespaces, two Petrel daemons, tunnel up, ping, a TCP
/// transfer with its throughput, both sides' SAs, teardown. The daemon's command tree adds this
/// command as it is; everything it needs lives in this folder.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var megabytes = new Option<int>("--megabytes")
        {
            Description = "How much data to send through the tunnel over TCP, in MiB",
            DefaultValueFactory = _ => 10,
        };
        var keep = new Option<bool>("--keep")
        {
            Description = "Leave the namespaces and daemons running at the end (stop them with Ctrl-C)",
        };
        var command = new Command("demo", "Two sites in network namespaces, tunnel up, traffic, teardown (needs root)")
        {
            megabytes,
            keep,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var options = new DemoOptions(parseResult.GetValue(megabytes), parseResult.GetValue(keep));
            return new DemoRunner(options, Console.Out, Console.Error).RunAsync(cancellationToken);
        });
        return command;
    }
}

using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// `petrel demo` end to end, as a user runs it: success output and exit code, and no namespaces
/// left behind, also when interrupted with Ctrl-C (SIGINT).
/// </summary>
[Trait("Category", "Interop")]
public sealed class PetrelDemoTests(ITestOutputHelper output)
{
    private static bool DemoNamespacesExist() =>
        File.Exists("/run/netns/petrel-demo-a") || File.Exists("/run/netns/petrel-demo-b");

    [RootFact]
    public void Demo_brings_up_a_tunnel_moves_data_and_cleans_up()
    {
        LabRequirements.EnsureReady();
        var r = CommandRunner.Run([.. PetrelExecutable.Command, "demo", "--megabytes", "10"], TimeSpan.FromMinutes(3));
        output.WriteLine(r.StandardOutput);
        output.WriteLine(r.StandardError);
        Assert.True(r.Succeeded, r.Describe());
        Assert.Contains("SHA-256 intact", r.StandardOutput);
        Assert.Contains("ESTABLISHED", r.StandardOutput);
        Assert.Contains("INSTALLED", r.StandardOutput);
        Assert.Contains("petrel demo: success", r.StandardOutput);
        Assert.False(DemoNamespacesExist(), "petrel demo left its namespaces behind");
    }

    [RootFact]
    public void Demo_interrupted_with_ctrl_c_cleans_up()
    {
        LabRequirements.EnsureReady();
        var log = Path.Combine(Path.GetTempPath(), $"petrel-demo-test-{Environment.ProcessId}.log");
        File.Delete(log);
        using var demo = StartedProcess.Start([.. PetrelExecutable.Command, "demo", "--keep", "--megabytes", "1"], log);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!demo.ReadLog().Contains("Ctrl-C ends the demo", StringComparison.Ordinal) && !demo.HasExited && DateTime.UtcNow < deadline)
            Thread.Sleep(200);
        Assert.False(demo.HasExited, "demo ended before reaching --keep:\n" + demo.ReadLog());
        Assert.True(DemoNamespacesExist(), "demo namespaces should exist while the demo runs");
        demo.Signal(StartedProcess.SigInt);
        Assert.True(demo.WaitForExit(TimeSpan.FromSeconds(30)), "demo did not end after SIGINT");
        output.WriteLine(demo.ReadLog());
        Assert.False(DemoNamespacesExist(), "petrel demo left its namespaces behind after Ctrl-C:\n" + demo.ReadLog());
        Assert.Contains("namespaces deleted", demo.ReadLog());
    }
}

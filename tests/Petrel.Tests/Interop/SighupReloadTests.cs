using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// SIGHUP re-reads the configuration as `petrel reload` does (packaging/petrel.service's ExecReload runs
/// `petrel reload`; `kill -HUP` and `systemctl kill -s HUP` reach the same code): a connection added to the
/// file appears, a broken file is refused with its line and the running configuration stays, and the daemon
/// keeps running (the runtime's default for SIGHUP would end it).
/// </summary>
[Trait("Category", "Interop")]
public sealed class SighupReloadTests(ITestOutputHelper output)
{
    private static string Conf(params string[] names)
    {
        var sb = new System.Text.StringBuilder("connections {\n");
        foreach (var name in names)
            sb.Append($"  {name} {{\n    remote_addrs = 198.18.0.2\n    local {{\n      auth = psk\n    }}\n    remote {{\n      auth = psk\n    }}\n    children {{\n      net {{\n        remote_ts = 10.2.0.0/24\n      }}\n    }}\n  }}\n");
        return sb.Append("}\n").ToString();
    }

    [RootFact]
    public void Sighup_reloads_the_configuration_and_keeps_the_running_one_when_the_file_is_broken()
    {
        using var lab = NamespacePair.Create("hup");
        using var petrel = PetrelPeer.Start(lab, lab.Left, Conf("first"));
        try
        {
            Assert.DoesNotContain("second", petrel.Cli("list-conns").StandardOutput);

            File.WriteAllText(petrel.ConfigPath, Conf("first", "second"));
            CommandRunner.Run(["kill", "-HUP", petrel.Pid.ToString()], TimeSpan.FromSeconds(10)).EnsureSuccess();
            WaitFor(() => petrel.Cli("list-conns").StandardOutput.Contains("second", StringComparison.Ordinal), "second connection after SIGHUP");
            WaitFor(() => petrel.Log().Contains("SIGHUP: reloading", StringComparison.Ordinal), "SIGHUP log line");

            // A broken file: refused with its line, the two connections stay, the daemon answers.
            File.WriteAllText(petrel.ConfigPath, Conf("first") + "connections {\n  third {\n    proposals = nonsense\n  }\n}\n");
            CommandRunner.Run(["kill", "-HUP", petrel.Pid.ToString()], TimeSpan.FromSeconds(10)).EnsureSuccess();
            WaitFor(() => petrel.Log().Contains("reload rejected, keeping the running configuration", StringComparison.Ordinal), "the refusal");
            string log = petrel.Log();
            Assert.Matches(@"reload rejected, keeping the running configuration: \S*swanctl\.conf:\d+:", log);
            string conns = petrel.Cli("list-conns").StandardOutput;
            Assert.Contains("first", conns);
            Assert.Contains("second", conns);
            Assert.False(petrel.HasExited);
        }
        catch
        {
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no {what} within 30 s");
            Thread.Sleep(250);
        }
    }
}

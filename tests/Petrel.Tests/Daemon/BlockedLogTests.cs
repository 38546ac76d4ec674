using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Petrel.Tests.Harness;
using Petrel.TestSupport;
using Xunit.Abstractions;

namespace Petrel.Tests.Daemon;

/// <summary>The namespace pair of <see cref="BlockedLogTests"/>.</summary>
public sealed class BlockedLogLab : LabFixture
{
    protected override string Tag => "blog";
}

/// <summary>
/// A log sink that blocks (issue 12, "Faults"): the daemon's stderr is a pipe nobody reads, as when journald or a
/// terminal stalls. At debug level a burst of unknown-SPI datagrams writes one line each, far more than the pipe
/// (64 KiB) and the logger's queue hold. The engine must keep answering: lines are dropped, not waited for.
/// </summary>
public sealed class BlockedLogTests(BlockedLogLab fixture, ITestOutputHelper output) : IClassFixture<BlockedLogLab>
{
    [RootFact]
    public void A_stalled_log_pipe_does_not_stall_the_engine()
    {
        var lab = fixture.Lab;
        var dir = Path.Combine(lab.Left.WorkDir, "blocked-log");
        Directory.CreateDirectory(dir);
        string conf = Path.Combine(dir, "swanctl.conf"), socket = Path.Combine(dir, "petrel.sock");
        File.WriteAllText(conf, LabConfig.For(lab.Left, lab.Right, ProposalPair.ByName("gcm128"), extra: "petrel {\n  log_level = debug\n}"));
        ExecutableLog.Record(["ip", "netns", "exec", lab.Left.Namespace, .. PetrelExecutable.Command]);
        var psi = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["netns", "exec", lab.Left.Namespace, .. PetrelExecutable.Command, "daemon", "--config", conf, "--socket", socket])
            psi.ArgumentList.Add(a);
        using var daemon = Process.Start(psi)!; // its stdout and stderr are never read: the pipe fills and stays full
        try
        {
            WaitForSocket(socket, daemon);
            using var udp = NamespaceSocket.Create(lab.Left.Namespace, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var target = new IPEndPoint(IPAddress.Parse(lab.Left.OuterV4), 500);
            var datagram = new byte[28];
            datagram[17] = 0x20; // IKEv2
            datagram[18] = 37; // INFORMATIONAL, for an SA that does not exist: one debug line each
            BinaryPrimitives.WriteUInt32BigEndian(datagram.AsSpan(24), 28);
            for (int i = 0; i < 20000; i++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(datagram, (ulong)i + 1);
                udp.SendTo(datagram, target);
                if (i % 500 == 499) Thread.Sleep(5); // within the ingress queue: every datagram reaches the engine
            }
            Thread.Sleep(2000);

            // The engine thread answers list-sas (it runs on that thread) within a few seconds, twice.
            for (int round = 0; round < 2; round++)
            {
                var watch = Stopwatch.StartNew();
                var response = Petrel.Cli.ControlClient.SendAsync(socket, new Petrel.Daemon.ControlRequest("list-sas"), TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
                output.WriteLine($"list-sas answered in {watch.ElapsedMilliseconds} ms: ok={response.Ok} {response.Error}");
                Assert.True(response.Ok, response.Error);
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"list-sas took {watch.Elapsed}");
            }
            Assert.False(daemon.HasExited);
        }
        finally
        {
            if (!daemon.HasExited) daemon.Kill();
            daemon.WaitForExit(10000);
        }
    }

    private static void WaitForSocket(string socket, Process daemon)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(daemon.HasExited, "the daemon exited during startup");
            if (File.Exists(socket))
            {
                try
                {
                    if (Petrel.Cli.ControlClient.SendAsync(socket, new Petrel.Daemon.ControlRequest("list-sas"), TimeSpan.FromSeconds(5)).GetAwaiter().GetResult().Ok)
                        return;
                }
                catch (Exception e) when (e is IOException or SocketException or TimeoutException) { }
            }
            Thread.Sleep(200);
        }
        throw new TimeoutException("the daemon's control socket did not answer");
    }
}

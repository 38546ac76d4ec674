namespace Petrel.Tests.Harness;

/// <summary>tcpdump on a site's eth0 (the wire between the two sites) or another of its interfaces, written to a pcap file.</summary>
public sealed class PacketCapture : IDisposable
{
    private readonly StartedProcess _tcpdump;
    private bool _stopped;

    public string PcapPath { get; }

    private PacketCapture(StartedProcess tcpdump, string pcapPath)
    {
        _tcpdump = tcpdump;
        PcapPath = pcapPath;
    }

    /// <summary>
    /// Starts capturing and returns once tcpdump says it is listening.
    /// <paramref name="snapLength"/> 0 keeps whole packets (needed to decrypt); a small value keeps
    /// bulk-transfer captures small while still showing every header.
    /// </summary>
    /// <param name="device">eth0 (the wire) unless a test watches another interface, e.g. the TUN device.</param>
    public static PacketCapture Start(NamespacePair lab, LabSite site, string name, int snapLength = 0, string device = "eth0")
    {
        var pcap = Path.Combine(site.WorkDir, name + ".pcap");
        File.Delete(pcap);
        var logName = name + ".tcpdump.log";
        File.Delete(Path.Combine(site.WorkDir, logName));
        var p = lab.Start(site, logName, ["tcpdump", "--immediate-mode", "-U", "-B", "32768", "-n", "-i", device, "-s", snapLength.ToString(), "-w", pcap]);
        var capture = new PacketCapture(p, pcap);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!p.ReadLog().Contains("listening on", StringComparison.Ordinal))
        {
            if (p.HasExited || DateTime.UtcNow > deadline)
            {
                var log = p.ReadLog();
                capture.Dispose();
                throw new InvalidOperationException($"tcpdump did not start in {site.Namespace}: {log}");
            }
            Thread.Sleep(50);
        }
        return capture;
    }

    /// <summary>Stops tcpdump (SIGINT flushes the file) and returns the pcap path.</summary>
    public string Stop()
    {
        if (!_stopped)
        {
            _stopped = true;
            Thread.Sleep(300); // let the last packets in flight reach the capture
            _tcpdump.Stop(StartedProcess.SigInt, TimeSpan.FromSeconds(5));
        }
        return PcapPath;
    }

    public void Dispose()
    {
        Stop();
        _tcpdump.Dispose();
    }
}

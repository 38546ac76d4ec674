using Petrel.Platform.Net;
using Petrel.Platform.Netns;
using Petrel.Tests.Harness;

namespace Petrel.Tests.Platform;

/// <summary>
/// The class fixture of <see cref="RtNetlinkTests"/>: a namespace pair (only the left side is
/// used) and an rtnetlink socket opened inside the left namespace.
/// </summary>
public sealed class RtNetlinkLab : LabFixture, IDisposable
{
    private readonly Lock _gate = new();
    private RtNetlink? _netlink;

    protected override string Tag => "rtnl";

    public LabSite Site => Lab.Left;

    internal RtNetlink Netlink
    {
        get
        {
            lock (_gate)
                return _netlink ??= OpenIn(Site.Namespace);
        }
    }

    /// <summary>`ip -n NS args…`, the independent view of what the kernel holds.</summary>
    public CommandResult Ip(params string[] args) => Lab.Exec(Site, ["ip", .. args]);

    /// <summary>A netlink socket belongs to the namespace of the thread that opens it, so a short-lived thread enters the namespace first.</summary>
    private static RtNetlink OpenIn(string netns)
    {
        RtNetlink? opened = null;
        Exception? error = null;
        var t = new Thread(() =>
        {
            try
            {
                NetworkNamespace.EnterOnCurrentThread(netns);
                opened = RtNetlink.Open();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        t.Start();
        t.Join();
        return opened ?? throw new InvalidOperationException($"cannot open rtnetlink in {netns}", error);
    }

    // Re-implemented so xunit's IDisposable call closes the socket before the namespaces go.
    public new void Dispose()
    {
        lock (_gate)
            _netlink?.Dispose();
        base.Dispose();
    }
}

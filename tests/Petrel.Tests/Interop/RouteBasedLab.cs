using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>
/// The class fixture of <see cref="RouteBasedNamespaceTests"/>: Petrel on both sides with one
/// route-based CHILD_SA "vti" (0.0.0.0/0 ⇄ 0.0.0.0/0, if_id 1, so each daemon opens one interface
/// for it and installs no routes), TUN MTU 1500, the right with <c>mss_clamp = yes</c>. The left
/// names its interface (<c>petrel { interfaces { ospf0 = 1 } }</c>), the right keeps vti00. The test
/// routes 172.16.1.0/24 (left) and 172.16.2.0/24 (right), networks no policy names, over them.
/// </summary>
public sealed class RouteBasedLab : LabFixture
{
    /// <summary>The left's route-based interface, named in its petrel { interfaces { } }.</summary>
    public const string LeftInterface = "ospf0";

    /// <summary>The right's, unnamed: Petrel's first vtiNN.</summary>
    public const string RightInterface = "vti00";

    private PetrelPeer? _left;
    private PetrelPeer? _right;
    private readonly Lock _gate = new();

    protected override string Tag => "vti";

    /// <summary>The left and right sites as seen through the VTI: hosts 172.16.1.1 and 172.16.2.1.</summary>
    public LabSite LeftHost => Lab.Left with { LanV4 = "172.16.1.1" };
    public LabSite RightHost => Lab.Right with { LanV4 = "172.16.2.1" };

    public PetrelPeer Left { get { Start(); return _left!; } }
    public PetrelPeer Right { get { Start(); return _right!; } }

    private void Start()
    {
        lock (_gate)
        {
            if (_left is not null)
                return;
            var lab = Lab;
            lab.Exec(lab.Left, "ip", "addr", "add", LeftHost.LanV4 + "/24", "dev", "lan0").EnsureSuccess();
            lab.Exec(lab.Right, "ip", "addr", "add", RightHost.LanV4 + "/24", "dev", "lan0").EnsureSuccess();
            _right = PetrelPeer.Start(lab, lab.Right, DataPlaneLabConfig.For(lab.Right, lab.Left, left: false, "tun_mtu = 1500\n  mss_clamp = yes", routeBased: true));
            // What a user or routing daemon does: route the other site over the interface.
            lab.Exec(lab.Right, "ip", "route", "add", "172.16.1.0/24", "dev", RightInterface).EnsureSuccess();
            StartLeft();
        }
    }

    private void StartLeft()
    {
        var lab = Lab;
        _left = PetrelPeer.Start(lab, lab.Left, DataPlaneLabConfig.For(lab.Left, lab.Right, left: true,
            $"tun_mtu = 1500\n  interfaces {{\n    {LeftInterface} = {DataPlaneLabConfig.InterfaceId}\n  }}", routeBased: true));
        var up = _left.Up(DataPlaneLabConfig.Connection, "vti");
        if (!up.Succeeded)
            throw new InvalidOperationException($"{up.Describe()}\n{_left.Diagnostics()}\n{_right!.Diagnostics()}");
        lab.Exec(lab.Left, "ip", "route", "add", "172.16.2.0/24", "dev", LeftInterface).EnsureSuccess();
    }

    /// <summary>
    /// Stops the left daemon (SIGTERM), runs <paramref name="whileStopped"/> with the stopped peer (its
    /// log is still readable), then starts it again with the tunnel up and the route back (the kernel
    /// dropped the route with its device).
    /// </summary>
    public void RestartLeft(Action<PetrelPeer> whileStopped)
    {
        lock (_gate)
        {
            _ = Left;
            var stopped = _left!;
            stopped.Dispose();
            try
            {
                whileStopped(stopped);
            }
            finally
            {
                StartLeft();
            }
        }
    }
}

using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>
/// The class fixture of <see cref="DataPlaneNamespaceTests"/>: one namespace pair, a Petrel daemon
/// on each side with TUN MTU 1500 (so oversize packets reach Petrel's path-MTU check), the "net"
/// and "web" CHILD_SAs up, the left's pass/drop shunts installed, and extra addresses on the
/// right's lan0 for each kind of traffic. The left has a default route via the right, the path
/// bypassed traffic takes.
/// </summary>
public sealed class DataPlaneLab : LabFixture
{
    public const string PmtuTarget = "10.2.0.9";
    public const string WebTarget = "10.2.7.1";
    public const string BypassTarget = "10.2.99.1";
    public const string DropTarget = "10.2.66.1";

    private PetrelPeer? _left;
    private PetrelPeer? _right;
    private readonly Lock _gate = new();

    protected override string Tag => "dpl";

    public PetrelPeer Left { get { Start(); return _left!; } }
    public PetrelPeer Right { get { Start(); return _right!; } }

    private void Start()
    {
        lock (_gate)
        {
            if (_left is not null)
                return;
            var lab = Lab;
            foreach (var a in new[] { PmtuTarget, WebTarget, BypassTarget, DropTarget })
                lab.Exec(lab.Right, "ip", "addr", "add", a + "/32", "dev", "lan0").EnsureSuccess();
            lab.Exec(lab.Left, "ip", "route", "add", "default", "via", lab.Right.OuterV4).EnsureSuccess();
            _right = PetrelPeer.Start(lab, lab.Right, DataPlaneLabConfig.For(lab.Right, lab.Left, left: false, "tun_mtu = 1500"));
            _left = PetrelPeer.Start(lab, lab.Left, DataPlaneLabConfig.For(lab.Left, lab.Right, left: true, "tun_mtu = 1500"));
            foreach (var child in new[] { "net", "web" })
            {
                var up = _left.Up(DataPlaneLabConfig.Connection, child);
                if (!up.Succeeded)
                    throw new InvalidOperationException($"{child}: {up.Describe()}\n{_left.Diagnostics()}\n{_right.Diagnostics()}");
            }
        }
    }
}

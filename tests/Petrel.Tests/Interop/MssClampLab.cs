using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>
/// The class fixture of <see cref="MssClampNamespaceTests"/>: Petrel on both sides with TUN MTU
/// 1500, the right one with <c>mss_clamp = yes</c>, the "net" CHILD_SA up.
/// </summary>
public sealed class MssClampLab : LabFixture
{
    private PetrelPeer? _left;
    private PetrelPeer? _right;
    private readonly Lock _gate = new();

    protected override string Tag => "mss";

    public PetrelPeer Left { get { Start(); return _left!; } }
    public PetrelPeer Right { get { Start(); return _right!; } }

    private void Start()
    {
        lock (_gate)
        {
            if (_left is not null)
                return;
            var lab = Lab;
            _right = PetrelPeer.Start(lab, lab.Right, DataPlaneLabConfig.For(lab.Right, lab.Left, left: false, "tun_mtu = 1500\n  mss_clamp = yes"));
            _left = PetrelPeer.Start(lab, lab.Left, DataPlaneLabConfig.For(lab.Left, lab.Right, left: true, "tun_mtu = 1500"));
            var up = _left.Up(DataPlaneLabConfig.Connection, "net");
            if (!up.Succeeded)
                throw new InvalidOperationException($"{up.Describe()}\n{_left.Diagnostics()}\n{_right.Diagnostics()}");
        }
    }
}

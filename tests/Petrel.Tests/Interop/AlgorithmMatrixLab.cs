using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>
/// The class fixture of <see cref="AlgorithmMatrixTests"/>: ONE namespace pair, ONE charon (right)
/// and ONE Petrel daemon (left) for every row; each row only reloads configurations. The
/// processes are started by the pair and stopped by PID when the pair is disposed.
/// </summary>
public sealed class AlgorithmMatrixLab : LabFixture
{
    private StrongSwanPeer? _strongSwan;
    private PetrelPeer? _petrel;

    protected override string Tag => "am";

    public StrongSwanPeer StrongSwan { get { Start(); return _strongSwan!; } }
    public PetrelPeer Petrel { get { Start(); return _petrel!; } }

    private void Start()
    {
        if (_strongSwan is not null && _petrel is not null) return;
        var lab = Lab;
        var first = AlgorithmMatrixCases.All[0];
        _strongSwan ??= StrongSwanPeer.Start(lab, lab.Right, AlgorithmMatrixConfig.For(first, lab.Right, lab.Left));
        _petrel ??= PetrelPeer.Start(lab, lab.Left, AlgorithmMatrixConfig.For(first, lab.Left, lab.Right));
    }
}

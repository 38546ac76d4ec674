using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>
/// The class fixture of <see cref="PetrelPairMatrixTests"/>: ONE namespace pair with ONE Petrel
/// daemon on each side for every row; rows only reload configurations.
/// </summary>
public sealed class PetrelPairMatrixLab : LabFixture
{
    private PetrelPeer? _left;
    private PetrelPeer? _right;

    protected override string Tag => "pm";

    public PetrelPeer Left { get { Start(); return _left!; } }
    public PetrelPeer Right { get { Start(); return _right!; } }

    private void Start()
    {
        if (_left is not null && _right is not null) return;
        var lab = Lab;
        var first = PetrelPairMatrixCases.All[0];
        _right ??= PetrelPeer.Start(lab, lab.Right, AlgorithmMatrixConfig.For(first, lab.Right, lab.Left));
        _left ??= PetrelPeer.Start(lab, lab.Left, AlgorithmMatrixConfig.For(first, lab.Left, lab.Right));
    }
}

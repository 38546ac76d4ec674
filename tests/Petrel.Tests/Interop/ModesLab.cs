using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>
/// The class fixture of <see cref="ModesTests"/>: ONE namespace pair with ONE Petrel daemon on
/// each side, loaded once with every row's connection (<see cref="ModesConfig.All"/>).
/// </summary>
public sealed class ModesLab : LabFixture
{
    private PetrelPeer? _left;
    private PetrelPeer? _right;

    protected override string Tag => "md";

    public PetrelPeer Left { get { Start(); return _left!; } }
    public PetrelPeer Right { get { Start(); return _right!; } }

    private void Start()
    {
        if (_left is not null && _right is not null) return;
        var lab = Lab;
        _right ??= PetrelPeer.Start(lab, lab.Right, ModesConfig.All(lab.Right, lab.Left));
        _left ??= PetrelPeer.Start(lab, lab.Left, ModesConfig.All(lab.Left, lab.Right));
    }

    /// <summary>The site as transport mode sees it: its "protected" addresses are its outer ones.</summary>
    public static LabSite Host(LabSite site) => site with { LanV4 = site.OuterV4, LanV6 = site.OuterV6 };
}

using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>
/// The two namespace pairs of <see cref="RekeyInteropTests"/>, run side by side: in one Petrel initiates the
/// rekeys, in the other strongSwan does.
/// </summary>
public sealed class RekeyInteropLab : IDisposable
{
    private NamespacePair? _petrelRekeys;
    private NamespacePair? _strongSwanRekeys;
    private readonly object _gate = new();

    public NamespacePair PetrelRekeys
    {
        get { lock (_gate) return _petrelRekeys ??= NamespacePair.Create("rkp"); }
    }

    public NamespacePair StrongSwanRekeys
    {
        get { lock (_gate) return _strongSwanRekeys ??= NamespacePair.Create("rks"); }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _petrelRekeys?.Dispose();
            _strongSwanRekeys?.Dispose();
            _petrelRekeys = _strongSwanRekeys = null;
        }
    }
}

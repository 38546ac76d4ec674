namespace Petrel.Tests.Harness;

/// <summary>
/// One namespace pair shared by all tests of a class (xunit class fixture). Created on first use,
/// so a class whose tests are all skipped never touches the network; deleted when the class ends.
/// </summary>
public abstract class LabFixture : IDisposable
{
    private NamespacePair? _lab;
    private readonly object _gate = new();

    /// <summary>A few lowercase letters naming the test class; part of the namespace prefix.</summary>
    protected abstract string Tag { get; }

    public NamespacePair Lab
    {
        get
        {
            lock (_gate) return _lab ??= NamespacePair.Create(Tag);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _lab?.Dispose();
            _lab = null;
        }
        GC.SuppressFinalize(this);
    }
}

namespace Petrel.DataPlane.Esp;

/// <summary>
/// Which of an SA's <see cref="SaLane"/>s the current packet thread uses. A host that runs several
/// packet threads on the same SAs (one per core) gives each its own index once, at thread start;
/// threads that never set it share lane 0 (still correct: the lane's gate serializes them).
/// </summary>
public static class PacketLane
{
    [ThreadStatic]
    private static int t_index;

    /// <summary>This thread's lane index (0 by default). SAs with fewer lanes use lane 0.</summary>
    public static int Current
    {
        get => t_index;
        set => t_index = value < 0 ? 0 : value;
    }
}

namespace Petrel.Platform.Host;

/// <summary>A batch job whose items [0, count) can be processed in contiguous slices on several threads.</summary>
public interface IPartitionedWork
{
    /// <summary>Processes items [start, end) on the worker with index worker (0 = the calling thread).</summary>
    void Run(int worker, int start, int end);
}

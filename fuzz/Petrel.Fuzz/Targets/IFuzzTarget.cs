namespace Petrel.Fuzz.Targets;

/// <summary>
/// One parser under fuzzing. <see cref="Run"/> feeds it one input the way the daemon would and returns
/// normally for every outcome the parser documents (a refusal, a drop, its own exception type); anything
/// else escapes and is a crash to fix.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>The name used by fuzz/run.sh, the corpus folder fuzz/corpus/NAME and the crash folder fuzz/crashes/NAME.</summary>
    string Name { get; }

    void Run(ReadOnlySpan<byte> data);
}

using Petrel.Fuzz.Targets;

namespace Petrel.Tests.Fuzz;

/// <summary>
/// Replays the fuzzing seed corpus (fuzz/corpus/TARGET) and every crash afl-fuzz found (fuzz/crashes/TARGET)
/// through the same targets fuzz/run.sh drives, uninstrumented: each input must end in the parser's documented
/// outcome, never in another exception.
/// </summary>
public class CorpusReplayTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "fuzz");

    public static TheoryData<string> Targets() => new(FuzzTargets.Names);

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_corpus_and_crash_file_is_handled(string name)
    {
        var files = Files("corpus", name).Concat(Files("crashes", name)).ToList();
        Assert.True(Files("corpus", name).Count() >= 2, $"fuzz/corpus/{name} holds fewer than 2 seeds");
        var target = FuzzTargets.Create(name)!;
        var failures = new List<string>();
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                failures.Add($"{Path.GetRelativePath(Root, file)}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Every_target_has_a_corpus_and_every_corpus_a_target()
    {
        var folders = Directory.GetDirectories(Path.Combine(Root, "corpus")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(FuzzTargets.Names.Order().ToList(), folders);
    }

    private static IEnumerable<string> Files(string kind, string name)
    {
        var dir = Path.Combine(Root, kind, name);
        return Directory.Exists(dir) ? Directory.GetFiles(dir).Order() : [];
    }
}

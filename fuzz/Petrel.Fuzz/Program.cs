using Petrel.Fuzz.Targets;
using SharpFuzz;

// Usage: Petrel.Fuzz TARGET               run under afl-fuzz (SharpFuzz's fork server, persistent mode)
//        Petrel.Fuzz TARGET FILE…         run each file once and print every unexpected exception (crash triage;
//                                         use the uninstrumented build, bin/Release, not fuzz/run.sh's copy)
//        Petrel.Fuzz --list               the target names
//        Petrel.Fuzz --write-seeds REPO   regenerate REPO/fuzz/corpus (fuzz/seeds.sh)
if (args is ["--write-seeds", var repo])
    return Petrel.Fuzz.SeedWriter.Write(repo);

if (args.Length == 0 || args[0] == "--list")
{
    foreach (var name in FuzzTargets.Names)
        Console.WriteLine(name);
    return args.Length == 0 ? 2 : 0;
}

if (!FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine($"unknown target '{args[0]}' (try --list)");
    return 2;
}

if (args.Length > 1)
{
    var once = FuzzTargets.Create(args[0])!;
    int failed = 0;
    foreach (var file in args[1..])
    {
        try
        {
            once.Run(File.ReadAllBytes(file));
        }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine($"{file}: {e.GetType().FullName}: {e.Message}");
            Console.WriteLine(e.StackTrace);
        }
    }
    return failed == 0 ? 0 : 1;
}

IFuzzTarget? target = null;
Fuzzer.OutOfProcess.Run(stream =>
{
    target ??= FuzzTargets.Create(args[0])!;
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
});
return 0;

namespace Petrel.Tests.Harness;

/// <summary>
/// Where the built petrel.dll is: PETREL_DLL if set, else next to the test assembly (the test
/// project references src/Petrel, so the build copies petrel.dll and its runtimeconfig here).
/// </summary>
public static class PetrelExecutable
{
    public static string DllPath
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("PETREL_DLL");
            if (!string.IsNullOrEmpty(env)) return env;
            var local = Path.Combine(AppContext.BaseDirectory, "petrel.dll");
            if (File.Exists(local)) return local;
            throw new FileNotFoundException("petrel.dll not found next to the tests; set PETREL_DLL", local);
        }
    }

    /// <summary>The argv prefix that runs petrel: dotnet + the dll.</summary>
    public static string[] Command => ["dotnet", DllPath];
}

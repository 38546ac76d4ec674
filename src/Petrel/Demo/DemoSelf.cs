namespace Petrel.Demo;

/// <summary>How to start this same petrel executable again (as `dotnet petrel.dll` or as an apphost).</summary>
internal static class DemoSelf
{
    public static string[] Command
    {
        get
        {
            var process = Environment.ProcessPath ?? "dotnet";
            var name = Path.GetFileNameWithoutExtension(process);
            if (name == "dotnet")
            {
                var dll = typeof(DemoSelf).Assembly.Location;
                return [process, dll];
            }
            return [process];
        }
    }
}

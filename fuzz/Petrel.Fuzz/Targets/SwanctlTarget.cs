using System.Text;
using Petrel.Config;

namespace Petrel.Fuzz.Targets;

/// <summary>
/// swanctl.conf loading: the settings parser and the mapping to connections, secrets, pools and authorities.
/// <see cref="ConfigException"/> (file:line and the reason) is the loader's refusal. Inputs naming "include"
/// are skipped: an include reads other files, which would make runs depend on the machine.
/// </summary>
public sealed class SwanctlTarget : IFuzzTarget
{
    private static readonly string Directory = System.IO.Directory.CreateTempSubdirectory("petrel-fuzz-").FullName;

    public string Name => "swanctl";

    public void Run(ReadOnlySpan<byte> data)
    {
        var text = Encoding.UTF8.GetString(data);
        if (text.Contains("include", StringComparison.OrdinalIgnoreCase))
            return;
        try
        {
            _ = SwanctlLoader.LoadText(text, "fuzz.conf", Directory);
        }
        catch (ConfigException)
        {
        }
    }
}

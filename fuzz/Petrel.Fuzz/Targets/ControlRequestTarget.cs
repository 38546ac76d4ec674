using System.Text;
using Petrel.Daemon;

namespace Petrel.Fuzz.Targets;

/// <summary>A line on the control socket (JSON request) as the control server parses it.</summary>
public sealed class ControlRequestTarget : IFuzzTarget
{
    public string Name => "control";

    public void Run(ReadOnlySpan<byte> data)
    {
        var request = ControlRequest.TryParse(Encoding.UTF8.GetString(data), out _);
        _ = request?.ToJson().ToJsonString();
    }
}

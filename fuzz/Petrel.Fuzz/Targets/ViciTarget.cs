using Petrel.Config;
using Petrel.Vici;

namespace Petrel.Fuzz.Targets;

/// <summary>
/// A vici packet (after the 4-byte length): packet type and name, the message's sections, lists and key/values,
/// then, for each top-level section, the load-conn mapping to a connection. <see cref="ConfigException"/> is the
/// mapper's refusal, as for the config file.
/// </summary>
public sealed class ViciTarget : IFuzzTarget
{
    private static readonly string Directory = System.IO.Directory.CreateTempSubdirectory("petrel-fuzz-").FullName;

    public string Name => "vici";

    public void Run(ReadOnlySpan<byte> data)
    {
        if (!ViciPacket.TryParse(data.ToArray(), out var packet, out _))
            return;
        if (!ViciReader.TryDecode(packet.Message.Span, out var message, out _))
            return;
        foreach (var item in message.Items)
        {
            if (item.Kind != ViciItemKind.Section || item.Section is null)
                continue;
            try
            {
                _ = ViciConnectionMapper.Map(item.Name, item.Section, Directory, out _);
            }
            catch (ConfigException)
            {
            }
        }
    }
}

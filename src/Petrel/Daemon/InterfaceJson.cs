using System.Text.Json.Nodes;
using Petrel.Config;
using Petrel.Ike.Config;

namespace Petrel.Daemon;

/// <summary>
/// The route-based interface of a child in list-conns and list-sas: its if_id_in / if_id_out and the
/// device each id was opened as at daemon start ("interface_in", "interface_out"). An id a reload
/// added has no device until the daemon restarts, and shows none.
/// </summary>
public static class InterfaceJson
{
    /// <summary>Adds the fields to <paramref name="o"/> when the child is route-based (an if_id not 0); else leaves it as it is.</summary>
    public static void Add(JsonObject o, ChildConfig child, VirtualInterfaceSet interfaces)
    {
        if (child.InterfaceIdIn == 0 && child.InterfaceIdOut == 0)
            return;
        o["if_id_in"] = child.InterfaceIdIn;
        o["if_id_out"] = child.InterfaceIdOut;
        o["interface_in"] = interfaces.NameOf(child.InterfaceIdIn);
        o["interface_out"] = interfaces.NameOf(child.InterfaceIdOut);
    }

    /// <summary>The child's config by connection and child name, for list-sas (whose snapshots carry only names).</summary>
    public static ChildConfig? Find(IReadOnlyList<ConnectionConfig> connections, string connection, string child)
    {
        foreach (var c in connections)
        {
            if (c.Name != connection)
                continue;
            foreach (var ch in c.Children)
                if (ch.Name == child) return ch;
        }
        return null;
    }
}

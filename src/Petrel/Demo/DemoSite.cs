namespace Petrel.Demo;

/// <summary>One of the demo's two sites: its namespace, addresses, IKE identity and files.</summary>
public sealed record DemoSite(string Label, string Namespace, string Id, string Outer, string Lan, string Subnet, string Dir)
{
    public string ConfigPath => Path.Combine(Dir, "swanctl.conf");
    public string SocketPath => Path.Combine(Dir, "petrel.sock");
    public string LogPath => Path.Combine(Dir, "petrel.log");
}

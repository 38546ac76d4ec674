using Petrel.Platform.Tun;

namespace Petrel.DataPlane.Tests.Platform;

/// <summary>
/// Opening a TUN device whose name is already taken, in a namespace of its own (vti-tun): a
/// persistent TUN device is attached to, anything else fails with a message that says why.
/// </summary>
[Collection("netns")]
public sealed class TunDeviceTests
{
    private const string Ns = "vti-tun";

    private static NamespaceThread CreateNamespace()
    {
        Shell.Run("ip", "netns", "del", Ns);
        Shell.Must("ip", "netns", "add", Ns);
        return new NamespaceThread(Ns);
    }

    [RootFact]
    public void Existing_names_attach_to_a_persistent_tun_and_refuse_other_devices_and_busy_tuns()
    {
        using var thread = CreateNamespace();
        try
        {
            // No dummy module on every kernel: a veth end is just as much "not a TUN device".
            Shell.Must("ip", "-n", Ns, "link", "add", "ospf0", "type", "veth", "peer", "name", "ospf0p");
            var e = Assert.Throws<IOException>(() => thread.Run(() => TunDevice.Open("ospf0")));
            Assert.Equal("TUNSETIFF ospf0: Invalid argument: a network device named 'ospf0' exists and is not a TUN device; delete or rename it, or choose another name", e.Message);

            // ip tuntap add makes a persistent TUN device with no process attached: Petrel may use it.
            Shell.Must("ip", "-n", Ns, "tuntap", "add", "dev", "kept0", "mode", "tun");
            var kept = thread.Run(() => TunDevice.Open("kept0"));
            Assert.Equal("kept0", kept.Name);

            var busy = Assert.Throws<IOException>(() => thread.Run(() => TunDevice.Open("kept0")));
            Assert.Equal("TUNSETIFF kept0: Device or resource busy: TUN device 'kept0' exists and another process has it open", busy.Message);
            // Closing it leaves the user's persistent device in place.
            kept.Dispose();
            Assert.Contains("kept0", Shell.Must("ip", "-n", Ns, "link", "show", "kept0"));

            // A name nobody has is created, as before.
            var fresh = thread.Run(() => TunDevice.Open("fresh0"));
            Assert.Contains("fresh0", Shell.Must("ip", "-n", Ns, "link", "show", "fresh0"));
            // … and goes away with its descriptor.
            fresh.Dispose();
            Assert.NotEqual(0, Shell.Run("ip", "-n", Ns, "link", "show", "fresh0").Code);
        }
        finally
        {
            Shell.Run("ip", "netns", "del", Ns);
        }
    }
}

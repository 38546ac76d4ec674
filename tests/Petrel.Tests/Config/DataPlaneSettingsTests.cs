using Petrel.Config;
using Petrel.Daemon;
using Petrel.DataPlane.Kernel;
using Petrel.Ike.Config;

namespace Petrel.Tests.Config;

/// <summary>The data plane keys: child tfc_padding, mode = pass/drop shunts, petrel { tun_mtu, path_mtu, mss_clamp }.</summary>
public sealed class DataPlaneSettingsTests
{
    private static string Conf(string child = "", string petrel = "") => $$"""
        connections {
          lab {
            remote_addrs = 198.18.0.2
            local {
              auth = psk
            }
            remote {
              auth = psk
            }
            children {
              net {
                local_ts = 10.1.0.0/24
                remote_ts = 10.2.0.0/16
                {{child}}
              }
            }
          }
        }
        petrel {
          {{petrel}}
        }
        """;

    private static ChildConfig Child(string lines) => SwanctlLoader.LoadText(Conf(child: lines)).Connections[0].Children[0];

    [Fact]
    public void Tfc_padding_takes_mtu_or_a_byte_count()
    {
        Assert.Equal(0, Child("").TfcPadding);
        Assert.Equal(ChildConfig.TfcPaddingMtu, Child("tfc_padding = mtu").TfcPadding);
        Assert.Equal(1200, Child("tfc_padding = 1200").TfcPadding);
        var e = Assert.Throws<ConfigException>(() => Child("tfc_padding = lots"));
        Assert.Contains("tfc_padding", e.Message);
    }

    [Fact]
    public void Replay_window_is_limited_to_what_the_data_plane_keeps()
    {
        Assert.Equal(4096, Child("replay_window = 4096").ReplayWindow);
        Assert.Equal(SaSpec.MaxReplayWindow, Child("replay_window = 65536").ReplayWindow);
        var e = Assert.Throws<ConfigException>(() => Child("replay_window = 65537"));
        Assert.Contains("replay_window", e.Message);
    }

    [Fact]
    public void Fragment_size_is_read_from_the_petrel_section()
    {
        Assert.Equal(1280, SwanctlLoader.LoadText(Conf()).Daemon.FragmentSize);
        Assert.Equal(600, SwanctlLoader.LoadText(Conf(petrel: "fragment_size = 600")).Daemon.FragmentSize);
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf(petrel: "fragment_size = 100")));
        Assert.Contains("fragment_size", e.Message);
        Assert.Equal(30, SwanctlLoader.LoadText(Conf()).Daemon.CookieThreshold);
        Assert.Equal(500, SwanctlLoader.LoadText(Conf(petrel: "cookie_threshold = 500")).Daemon.CookieThreshold);
    }

    [Fact]
    public void Dos_limits_block_threshold_and_init_limit_half_open_default_as_strongswan_and_are_read()
    {
        var defaults = SwanctlLoader.LoadText(Conf()).Daemon;
        Assert.Equal((5, 0), (defaults.BlockThreshold, defaults.InitLimitHalfOpen));
        var d = SwanctlLoader.LoadText(Conf(petrel: "block_threshold = 0\n init_limit_half_open = 2000")).Daemon;
        Assert.Equal((0, 2000), (d.BlockThreshold, d.InitLimitHalfOpen));
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf(petrel: "block_threshold = -1")));
        Assert.Contains("block_threshold", e.Message);
        Assert.Equal(10000, defaults.MaxPacket);
        Assert.Equal(20000, SwanctlLoader.LoadText(Conf(petrel: "max_packet = 20000")).Daemon.MaxPacket);
        e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf(petrel: "max_packet = 1000")));
        Assert.Contains("max_packet", e.Message);
    }

    [Fact]
    public void Petrel_section_sets_mtus_and_mss_clamping()
    {
        var defaults = SwanctlLoader.LoadText(Conf()).Daemon;
        Assert.Equal((1400, 1500, false), (defaults.TunMtu, defaults.PathMtu, defaults.MssClamp));
        var d = SwanctlLoader.LoadText(Conf(petrel: "tun_mtu = 9000\n path_mtu = 1400\n mss_clamp = yes")).Daemon;
        Assert.Equal((9000, 1400, true), (d.TunMtu, d.PathMtu, d.MssClamp));
        Assert.Equal(DaemonSettings.AutoTunMtu, SwanctlLoader.LoadText(Conf(petrel: "tun_mtu = auto")).Daemon.TunMtu);
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf(petrel: "tun_mtu = 100")));
        Assert.Contains("tun_mtu", e.Message);
    }

    [Fact]
    public void Packet_threads_is_auto_or_a_count_from_1_to_64()
    {
        Assert.Equal(1, SwanctlLoader.LoadText(Conf()).Daemon.PacketThreads);
        Assert.Equal(DaemonSettings.AutoPacketThreads, SwanctlLoader.LoadText(Conf(petrel: "packet_threads = auto")).Daemon.PacketThreads);
        Assert.Equal(4, SwanctlLoader.LoadText(Conf(petrel: "packet_threads = 4")).Daemon.PacketThreads);
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf(petrel: "packet_threads = 0")));
        Assert.Contains("packet_threads", e.Message);
        Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf(petrel: "packet_threads = 65")));
    }

    [Fact]
    public void Packet_nice_is_a_nice_value_from_minus_20_to_19_and_0_by_default()
    {
        Assert.Equal(0, SwanctlLoader.LoadText(Conf()).Daemon.PacketNice);
        Assert.Equal(-10, SwanctlLoader.LoadText(Conf(petrel: "packet_nice = -10")).Daemon.PacketNice);
        Assert.Equal(19, SwanctlLoader.LoadText(Conf(petrel: "packet_nice = 19")).Daemon.PacketNice);
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf(petrel: "packet_nice = -21")));
        Assert.Contains("packet_nice", e.Message);
        Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf(petrel: "packet_nice = 20")));
    }

    [Fact]
    public void Pass_and_drop_children_become_bypass_and_discard_policies()
    {
        var pass = Child("mode = pass\n start_action = trap");
        var drop = Child("mode = drop\n start_action = trap\n local_ts = dynamic[tcp]");
        var bypass = ShuntPolicies.ToPolicy(pass, 0xF0000001);
        var discard = ShuntPolicies.ToPolicy(drop, 0xF0000002);

        Assert.Equal(PolicyAction.Bypass, bypass.Action);
        Assert.Equal(["10.1.0.0/24"], bypass.LocalTs.Select(t => t.ToString()));
        Assert.Equal(["10.2.0.0/16"], bypass.RemoteTs.Select(t => t.ToString()));
        Assert.Equal(PolicyAction.Discard, discard.Action);
        // "dynamic" in a shunt means any address of either family, with the protocol kept.
        Assert.Equal(2, discard.LocalTs.Count);
        Assert.All(discard.LocalTs, t => Assert.Equal(6, t.Protocol));
    }

    [Fact]
    public void If_ids_make_route_based_children_with_one_vti_per_id()
    {
        var config = SwanctlLoader.LoadText(Conf(child: "if_id_in = 42\n if_id_out = 0x2a"));
        var child = config.Connections[0].Children[0];
        Assert.Equal((42u, 42u), (child.InterfaceIdIn, child.InterfaceIdOut));
        Assert.Equal([(42u, "vti00")], config.Daemon.VirtualInterfaces.Interfaces);
        Assert.Equal(SwanctlLoader.LoadText(Conf(child: "if_id_in = 42\n if_id_out = 42")).Daemon, config.Daemon);
        Assert.Empty(SwanctlLoader.LoadText(Conf()).Daemon.VirtualInterfaces.Interfaces);
        var e = Assert.Throws<ConfigException>(() => Child("if_id_in = %unique"));
        Assert.Contains("if_id_in", e.Message);
    }
}

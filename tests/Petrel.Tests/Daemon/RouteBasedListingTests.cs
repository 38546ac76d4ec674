using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Cli;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Tests.Config;

namespace Petrel.Tests.Daemon;

/// <summary>
/// Route-based children in list-conns and list-sas (fake engine, in-process daemon): the interface
/// each if_id was opened as, a user-given name from petrel { interfaces { } } among them; and a reload
/// that renames or adds interfaces says they stay as they are until the daemon restarts.
/// </summary>
public sealed class RouteBasedListingTests : IAsyncLifetime
{
    private const string Children = """
          vti {
            local_ts = 0.0.0.0/0
            remote_ts = 0.0.0.0/0
            if_id_in = 42
            if_id_out = 0x2a
          }
          core {
            local_ts = 10.1.0.0/24
            remote_ts = 10.2.0.0/24
            if_id_in = 7
            if_id_out = 8
          }
        """;

    private static string Conf(string interfaces, string extraChild = "") => $$"""
        connections {
          lab {
            remote_addrs = 198.18.0.2
            local {
              auth = psk
              id = left
            }
            remote {
              auth = psk
              id = right
            }
            children {
        {{Children}}
        {{extraChild}}
              net {
                local_ts = 10.1.0.0/24
                remote_ts = 10.3.0.0/24
              }
            }
          }
        }
        secrets {
          ike-lab {
            secret = "lab-psk-0123456789"
          }
        }
        petrel {
          interfaces {
            {{interfaces}}
          }
        }
        """;

    private readonly TempConfigDir _dir = new();
    private readonly string _socket = Path.Combine(Path.GetTempPath(), $"pv-{Guid.NewGuid():N}"[..11] + ".sock");
    private PetrelDaemon _daemon = null!;
    private string _configPath = null!;

    public async Task InitializeAsync()
    {
        _configPath = _dir.Write("swanctl.conf", Conf("ospf0 = 42"));
        _daemon = new PetrelDaemon(SwanctlLoader.Load(_configPath), _socket, new FakePlatform(new FakeEngine()), NullLoggerFactory.Instance);
        await _daemon.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _daemon.DisposeAsync();
        _dir.Dispose();
    }

    private (int Code, string Out, string Err) Cli(params string[] args) => ControlCli.Run(_socket, args);

    private static JsonObject Child(JsonNode? listing, string name) =>
        Assert.IsType<JsonObject>(Assert.Single(listing!.AsArray()[0]!["children"]!.AsArray(), c => (string?)c!["name"] == name));

    [Fact]
    public void List_conns_shows_each_route_based_childs_interfaces_and_none_for_policy_based()
    {
        var (code, output, err) = Cli("list-conns", "--json");
        Assert.True(code == 0, err);
        var json = JsonNode.Parse(output);
        var vti = Child(json, "vti");
        Assert.Equal((42u, 42u, "ospf0", "ospf0"), ((uint)vti["if_id_in"]!, (uint)vti["if_id_out"]!, (string?)vti["interface_in"], (string?)vti["interface_out"]));
        var core = Child(json, "core");
        // Order of first use takes a child's if_id_out before its if_id_in: 8 is vti01, 7 vti02 (42 took ospf0, not vti00).
        Assert.Equal(("vti02", "vti01"), ((string?)core["interface_in"], (string?)core["interface_out"]));
        Assert.False(Child(json, "net").ContainsKey("if_id_in"));

        var text = Cli("list-conns").Out;
        Assert.Contains("    interface: ospf0 (if_id 42)\n", text.ReplaceLineEndings("\n"));
        Assert.Contains("    interfaces: in vti02 (if_id 7), out vti01 (if_id 8)\n", text.ReplaceLineEndings("\n"));
        Assert.Equal(2, text.Split('\n').Count(l => l.Contains("interface")));
    }

    [Fact]
    public void List_sas_shows_the_interface_of_a_route_based_child_sa()
    {
        var up = Cli("up", "lab", "--child", "vti", "--timeout", "5");
        Assert.True(up.Code == 0, up.Err);
        var vti = Child(JsonNode.Parse(Cli("list-sas", "--json").Out), "vti");
        Assert.Equal(("ospf0", 42u), ((string?)vti["interface_out"], (uint)vti["if_id_out"]!));
        var text = Cli("list-sas").Out.ReplaceLineEndings("\n");
        Assert.Contains("    remote 0.0.0.0/0\n    interface: ospf0 (if_id 42)\n", text);
    }

    [Fact]
    public void Reload_with_renamed_or_new_interfaces_keeps_the_running_ones_and_says_so()
    {
        File.WriteAllText(_configPath, Conf("ospf1 = 42\n    edge0 = 9", extraChild: "      edge {\n        if_id_in = 9\n        if_id_out = 9\n      }"));
        var (code, output, err) = Cli("reload");
        Assert.True(code == 0, err);
        Assert.Contains("route-based interfaces stay ospf0 (if_id 42), vti01 (if_id 8), vti02 (if_id 7) until the daemon restarts " +
                        "(the file now has ospf1 (if_id 42), vti01 (if_id 8), vti02 (if_id 7), edge0 (if_id 9))", output);
        var json = JsonNode.Parse(Cli("list-conns", "--json").Out);
        Assert.Equal("ospf0", (string?)Child(json, "vti")["interface_in"]);
        var edge = Child(json, "edge");
        Assert.Equal(9u, (uint)edge["if_id_in"]!);
        Assert.Null(edge["interface_in"]);
        Assert.Contains("    interface: if_id 9 (no interface until the daemon restarts)", Cli("list-conns").Out);

        // The same interfaces again: no remark.
        File.WriteAllText(_configPath, Conf("ospf0 = 0x2a"));
        var same = Cli("reload");
        Assert.True(same.Code == 0, same.Err);
        Assert.DoesNotContain("route-based", same.Out);
    }
}

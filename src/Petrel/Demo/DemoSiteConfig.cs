namespace Petrel.Demo;

/// <summary>
/// The demo's built-in configuration, in swanctl.conf syntax like any Petrel configuration: one
/// connection with one tunnel-mode CHILD_SA between the two protected subnets, PSK authentication
/// with a secret made fresh for every run.
/// </summary>
public static class DemoSiteConfig
{
    public const string Connection = "site-to-site";
    public const string Child = "net";

    public static string For(DemoSite local, DemoSite remote, string pskHex) => $$"""
        # petrel demo: {{local.Label}} ({{local.Namespace}}), generated for this run
        connections {
          {{Connection}} {
            version = 2
            local_addrs = {{local.Outer}}
            remote_addrs = {{remote.Outer}}
            # ESP-in-UDP on port 4500 (RFC 3948), as between NATed sites and with strongSwan's kernel-libipsec.
            encap = yes
            proposals = aes128gcm16-prfsha256-ecp256
            local {
              auth = psk
              id = {{local.Id}}
            }
            remote {
              auth = psk
              id = {{remote.Id}}
            }
            children {
              {{Child}} {
                mode = tunnel
                local_ts = {{local.Subnet}}
                remote_ts = {{remote.Subnet}}
                esp_proposals = aes128gcm16
                start_action = none
              }
            }
          }
        }

        secrets {
          ike-demo {
            id-1 = {{local.Id}}
            id-2 = {{remote.Id}}
            secret = 0x{{pskHex}}
          }
        }

        """;
}

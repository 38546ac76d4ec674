using System.Net;
using Microsoft.Extensions.Logging;
using Petrel.Config;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Policy;
using Petrel.Ike.Config;

namespace Petrel.Daemon;

/// <summary>
/// strongSwan's shunt policies: children with <c>mode = pass</c> (bypass) or <c>mode = drop</c>
/// (discard) and <c>start_action = trap</c> are not negotiated; their selectors go into the SPD
/// directly when the configuration is loaded and are replaced on reload (RFC 4301 §4.4.1 BYPASS
/// and DISCARD entries). The data plane orders them ahead of protect policies.
/// </summary>
public sealed class ShuntPolicies(IIpsecKernel kernel, ILogger log)
{
    /// <summary>Shunt reqids live far above the engine's (which count up from 1).</summary>
    private const uint FirstReqId = 0xF000_0000;

    private readonly List<uint> _installed = [];
    private uint _next = FirstReqId;

    /// <summary>Replaces the installed shunts with those of config.</summary>
    public void Apply(SwanctlConfig config)
    {
        foreach (var reqId in _installed)
            kernel.RemovePolicy(reqId);
        _installed.Clear();
        foreach (var c in config.Connections)
        {
            foreach (var child in c.Children)
            {
                if (child.Mode is not ("pass" or "drop"))
                    continue;
                if (child.StartAction != "trap")
                {
                    log.LogWarning("{Connection}/{Child}: mode = {Mode} is installed only with start_action = trap, as strongSwan does", c.Name, child.Name, child.Mode);
                    continue;
                }
                var policy = ToPolicy(child, ++_next);
                try
                {
                    kernel.InstallPolicy(policy);
                    _installed.Add(policy.ReqId);
                    log.LogInformation("shunt {Connection}/{Child}: {Action} {Local} === {Remote}", c.Name, child.Name,
                        child.Mode == "pass" ? "PASS" : "DROP", string.Join(",", policy.LocalTs), string.Join(",", policy.RemoteTs));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    log.LogError("shunt {Connection}/{Child} could not be installed: {Error}", c.Name, child.Name, e.Message);
                }
            }
        }
    }

    public void Clear()
    {
        foreach (var reqId in _installed)
            kernel.RemovePolicy(reqId);
        _installed.Clear();
    }

    internal static PolicySpec ToPolicy(ChildConfig child, uint reqId) => new()
    {
        ReqId = reqId,
        Action = child.Mode == "pass" ? PolicyAction.Bypass : PolicyAction.Discard,
        LocalTs = Selectors(child.LocalTs),
        RemoteTs = Selectors(child.RemoteTs),
        // A shunt has no peer; the addresses are never used for it.
        LocalAddress = IPAddress.Any,
        RemoteAddress = IPAddress.Any,
    };

    /// <summary>"dynamic" has no IKE address to stand for in a shunt: like strongSwan, it means any address.</summary>
    private static List<TrafficSelector> Selectors(IReadOnlyList<string> configured)
    {
        var result = new List<TrafficSelector>();
        foreach (var text in configured)
        {
            if (text.StartsWith("dynamic", StringComparison.OrdinalIgnoreCase))
            {
                string suffix = text["dynamic".Length..];
                result.Add(TrafficSelector.Parse("0.0.0.0/0" + suffix));
                result.Add(TrafficSelector.Parse("::/0" + suffix));
            }
            else
            {
                result.Add(TrafficSelector.Parse(text));
            }
        }
        return result;
    }
}

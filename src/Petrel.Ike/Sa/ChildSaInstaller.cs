using System.Net;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Policy;

namespace Petrel.Ike.Sa;

/// <summary>
/// What a negotiated CHILD_SA hands the data plane, whichever IKE version keyed it: the protocol, the
/// transforms and the per-version extras (ESN and TFC padding are IKEv2's; the NAT-T original addresses
/// are known only where the version carries them).
/// </summary>
internal sealed record ChildSaAlgorithms(IpsecProtocol Protocol, Transform Encryption, Transform? Integrity)
{
    public bool ExtendedSequenceNumbers { get; init; }
    public int TfcPadding { get; init; }
}

/// <summary>
/// Installs a keyed CHILD_SA into the data plane for IKEv1 Quick Mode and IKEv2 alike: inbound SA, then the
/// outbound SA (or held back as <see cref="ChildSa.PendingOutbound"/> for make before break), then the policy
/// unless a rekey keeps the reqid's policy in place. A kernel refusal removes both SAs and forgets the keys;
/// success marks the child installed, schedules its lifetimes and adds it to its IKE SA.
/// </summary>
internal static class ChildSaInstaller
{
    /// <summary>The keys (<see cref="ChildSa.EncKeyIn"/> …), <see cref="ChildSa.Mode"/> and <see cref="ChildSa.Encap"/> are set by the caller.</summary>
    /// <returns>null when installed, else the line to log.</returns>
    public static string? Install(IIkeContext context, IkeSa sa, ChildSa child, ChildSaAlgorithms algorithms, bool deferOutbound)
    {
        // RFC 3948: with encapsulation the outer ports are the IKE NAT-T ports as the peer sees them.
        var local = child.Encap ? sa.Local : new IPEndPoint(sa.Local.Address, 0);
        var remote = child.Encap ? sa.Remote : new IPEndPoint(sa.Remote.Address, 0);
        child.OuterLocal = local;
        child.OuterRemote = remote;
        child.MoveTo(ChildSaState.Installing);
        try
        {
            context.Kernel.InstallSa(new SaSpec
            {
                Spi = child.SpiIn, Direction = SaDirection.Inbound, Protocol = algorithms.Protocol, Mode = child.Mode,
                Source = remote, Destination = local, UdpEncapsulation = child.Encap,
                OriginalSource = child.PeerOriginalAddress, OriginalDestination = child.LocalAddressAsPeerSees,
                Encryption = algorithms.Encryption, EncryptionKey = child.EncKeyIn.ToArray(),
                Integrity = algorithms.Integrity, IntegrityKey = child.IntegKeyIn.ToArray(),
                ExtendedSequenceNumbers = algorithms.ExtendedSequenceNumbers, ReplayWindow = child.Config.ReplayWindow, ReqId = child.ReqId,
            });
            var outbound = new SaSpec
            {
                Spi = child.SpiOut, Direction = SaDirection.Outbound, Protocol = algorithms.Protocol, Mode = child.Mode,
                Source = local, Destination = remote, UdpEncapsulation = child.Encap,
                Encryption = algorithms.Encryption, EncryptionKey = child.EncKeyOut.ToArray(),
                Integrity = algorithms.Integrity, IntegrityKey = child.IntegKeyOut.ToArray(),
                ExtendedSequenceNumbers = algorithms.ExtendedSequenceNumbers, ReplayWindow = 0, ReqId = child.ReqId,
                TfcPadding = algorithms.TfcPadding,
            };
            if (deferOutbound) child.PendingOutbound = outbound;
            else context.Kernel.InstallSa(outbound);
            // A rekey keeps the reqid: the policy in place already points at the newest outbound SA of that reqid.
            if (!context.Sas.ReqIdInUse(child.ReqId, child))
            {
                context.Kernel.InstallPolicy(new PolicySpec
                {
                    ReqId = child.ReqId, LocalTs = child.LocalTs, RemoteTs = child.RemoteTs, Mode = child.Mode,
                    InterfaceIdIn = child.Config.InterfaceIdIn, InterfaceIdOut = child.Config.InterfaceIdOut,
                    LocalAddress = sa.Local.Address, RemoteAddress = sa.Remote.Address,
                });
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            context.Kernel.RemoveSa(child.SpiIn, SaDirection.Inbound);
            context.Kernel.RemoveSa(child.SpiOut, SaDirection.Outbound);
            child.ZeroKeys();
            return $"CHILD_SA {child.Config.Name}: data plane refused the SA: {ex.Message}";
        }
        context.Sas.SetInstalled(child, true);
        child.MoveTo(ChildSaState.Installed);
        child.InstalledAt = context.Clock.Now;
        context.Scheduler.ScheduleChild(child);
        sa.Children.Add(child);
        context.Log.Info(sa, $"CHILD_SA {child.Config.Name}{{{child.UniqueId}}} established with SPIs {child.SpiIn:x8}_i {child.SpiOut:x8}_o and TS {TrafficSelectorNarrowing.Format(child.LocalTs)} === {TrafficSelectorNarrowing.Format(child.RemoteTs)}{(child.Encap ? " (UDP-encapsulated)" : "")}");
        return null;
    }
}

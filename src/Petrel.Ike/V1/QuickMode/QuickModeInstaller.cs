using System.Net;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Policy;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Ike.V1.Keying;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.QuickMode;

/// <summary>
/// KEYMAT for both directions of a negotiated Quick Mode SA (RFC 2409 §5.5: each direction keyed with the SPI its
/// receiver chose) and installation into the data plane through the same <see cref="IIpsecKernel"/> calls as IKEv2:
/// inbound SA, outbound SA, then the policy (kept when a rekey reuses the reqid).
/// </summary>
internal static class QuickModeInstaller
{
    public static string? Install(IkeEngine engine, IkeSa sa, QuickModeExchange qm, bool deferOutbound = false)
    {
        var child = qm.Child;
        var p = qm.Proposal!;
        var encr = p.First(TransformType.Encryption)!.Value;
        var integ = p.First(TransformType.Integrity);
        var encEntry = AlgorithmCatalog.Get(encr);
        int encLength = encEntry.Encryption!.KeyLength;
        int integLength = integ is { } i ? AlgorithmCatalog.Get(i).Integrity!.KeyLength : 0;
        var state = sa.V1!;
        var prf = state.Suite!.Prf;
        var dIn = QuickModeKeymat.Derive(prf, state.Keys!.SkeyidD, qm.PfsSecret, V1Protocol.Esp, child.SpiIn, qm.Ni, qm.Nr, encLength + integLength);
        var dOut = QuickModeKeymat.Derive(prf, state.Keys.SkeyidD, qm.PfsSecret, V1Protocol.Esp, child.SpiOut, qm.Ni, qm.Nr, encLength + integLength);
        child.EncKeyIn = dIn[..encLength];
        child.IntegKeyIn = dIn[encLength..];
        child.EncKeyOut = dOut[..encLength];
        child.IntegKeyOut = dOut[encLength..];
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(dIn);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(dOut);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(qm.PfsSecret);

        child.Proposal = p;
        child.Encap = EncapsulationMode.IsUdp(qm.EncapsulationMode);
        child.Mode = EncapsulationMode.IsTransport(qm.EncapsulationMode) ? IpsecMode.Transport : IpsecMode.Tunnel;
        var local = child.Encap ? sa.Local : new IPEndPoint(sa.Local.Address, 0);
        var remote = child.Encap ? sa.Remote : new IPEndPoint(sa.Remote.Address, 0);
        child.OuterLocal = local;
        child.OuterRemote = remote;
        child.MoveTo(ChildSaState.Installing);
        try
        {
            engine.Kernel.InstallSa(new SaSpec
            {
                Spi = child.SpiIn, Direction = SaDirection.Inbound, Protocol = IpsecProtocol.Esp, Mode = child.Mode,
                Source = remote, Destination = local, UdpEncapsulation = child.Encap,
                Encryption = encr, EncryptionKey = child.EncKeyIn.ToArray(),
                Integrity = integ, IntegrityKey = child.IntegKeyIn.ToArray(),
                ReplayWindow = child.Config.ReplayWindow, ReqId = child.ReqId,
            });
            var outbound = new SaSpec
            {
                Spi = child.SpiOut, Direction = SaDirection.Outbound, Protocol = IpsecProtocol.Esp, Mode = child.Mode,
                Source = local, Destination = remote, UdpEncapsulation = child.Encap,
                Encryption = encr, EncryptionKey = child.EncKeyOut.ToArray(),
                Integrity = integ, IntegrityKey = child.IntegKeyOut.ToArray(),
                ReplayWindow = 0, ReqId = child.ReqId,
            };
            // A responder sends on the new SA only once message 3 shows the initiator has it (make before break).
            if (deferOutbound) child.PendingOutbound = outbound;
            else engine.Kernel.InstallSa(outbound);
            if (!engine.ReqIdInUse(child.ReqId, child))
            {
                engine.Kernel.InstallPolicy(new PolicySpec
                {
                    ReqId = child.ReqId, LocalTs = child.LocalTs, RemoteTs = child.RemoteTs, Mode = child.Mode,
                    InterfaceIdIn = child.Config.InterfaceIdIn, InterfaceIdOut = child.Config.InterfaceIdOut,
                    LocalAddress = sa.Local.Address, RemoteAddress = sa.Remote.Address,
                });
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            engine.Kernel.RemoveSa(child.SpiIn, SaDirection.Inbound);
            engine.Kernel.RemoveSa(child.SpiOut, SaDirection.Outbound);
            child.ZeroKeys();
            return $"CHILD_SA {child.Config.Name}: data plane refused the SA: {ex.Message}";
        }
        engine.SetInstalled(child, true);
        child.MoveTo(ChildSaState.Installed);
        child.InstalledAt = engine.Clock.Now;
        engine.ScheduleChild(child);
        if (qm.LifeSeconds > 0)
        {
            // RFC 2407 §4.5: the negotiated lifetime is the hard limit; rekey before it as the configuration does.
            var hard = engine.Clock.Now + TimeSpan.FromSeconds(qm.LifeSeconds);
            if (hard < child.ExpireAt) child.ExpireAt = hard;
            if (child.RekeyAt >= child.ExpireAt) child.RekeyAt = child.ExpireAt - TimeSpan.FromSeconds(Math.Min(60, qm.LifeSeconds / 10.0));
        }
        sa.Children.Add(child);
        engine.Log.Info(sa, $"CHILD_SA {child.Config.Name}{{{child.UniqueId}}} established with SPIs {child.SpiIn:x8}_i {child.SpiOut:x8}_o and TS {V2.TrafficSelectorNarrowing.Format(child.LocalTs)} === {V2.TrafficSelectorNarrowing.Format(child.RemoteTs)}{(child.Encap ? " (UDP-encapsulated)" : "")}");
        return null;
    }
}

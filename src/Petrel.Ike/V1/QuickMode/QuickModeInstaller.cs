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
/// receiver chose), then installation through the version-neutral <see cref="ChildSaInstaller"/> that IKEv2 uses too,
/// with the negotiated Quick Mode lifetime as the hard limit.
/// </summary>
internal static class QuickModeInstaller
{
    public static string? Install(IkeEngine engine, IkeSa sa, QuickModeExchange qm, bool deferOutbound = false)
    {
        var child = qm.Child;
        var p = qm.Proposal!;
        bool ah = child.Protocol == SecurityProtocol.Ah;
        // AH has no cipher: the data plane takes encryption algorithm 0 with an empty key, as for IKEv2.
        var encr = ah ? new Transform(TransformType.Encryption, 0) : p.First(TransformType.Encryption)!.Value;
        var integ = p.First(TransformType.Integrity);
        int encLength = ah ? 0 : AlgorithmCatalog.Get(encr).Encryption!.KeyLength;
        int integLength = integ is { } i ? AlgorithmCatalog.Get(i).Integrity!.KeyLength : 0;
        var state = sa.V1!;
        var prf = state.Suite!.Prf;
        byte protocol = ah ? V1Protocol.Ah : V1Protocol.Esp;
        var dIn = QuickModeKeymat.Derive(prf, state.Keys!.SkeyidD, qm.PfsSecret, protocol, child.SpiIn, qm.Ni, qm.Nr, encLength + integLength);
        var dOut = QuickModeKeymat.Derive(prf, state.Keys.SkeyidD, qm.PfsSecret, protocol, child.SpiOut, qm.Ni, qm.Nr, encLength + integLength);
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
        var algorithms = new ChildSaAlgorithms(ah ? IpsecProtocol.Ah : IpsecProtocol.Esp, encr, integ);
        if (ChildSaInstaller.Install(engine, sa, child, algorithms, deferOutbound) is { } failure) return failure;
        if (qm.LifeSeconds > 0)
        {
            // RFC 2407 §4.5: the negotiated lifetime is the hard limit; rekey before it as the configuration does.
            var hard = engine.Clock.Now + TimeSpan.FromSeconds(qm.LifeSeconds);
            if (hard < child.ExpireAt) child.ExpireAt = hard;
            if (child.RekeyAt >= child.ExpireAt) child.RekeyAt = child.ExpireAt - TimeSpan.FromSeconds(Math.Min(60, qm.LifeSeconds / 10.0));
        }
        // The negotiated kilobytes (of 1000 octets, as strongSwan counts) become the hard traffic limit (V1Lifetimes).
        if (qm.LifeKilobytes > 0) state.LifeBytes[child] = qm.LifeKilobytes * 1000;
        return null;
    }
}

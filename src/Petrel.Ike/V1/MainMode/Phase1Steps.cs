using System.Net;
using Petrel.Ike.Config;
using Petrel.Ike.Sa;
using Petrel.Ike.V1.Keying;
using Petrel.Ike.V1.Wire;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V1.MainMode;

/// <summary>The parts of Main Mode both roles share: vendor IDs, NAT-D (RFC 3947), the key schedule, HASH_I/HASH_R and IDs.</summary>
internal static class Phase1Steps
{
    /// <summary>The vendor IDs we announce in messages 1 and 2: RFC 3947 NAT-T and RFC 3706 DPD.</summary>
    public static void AddVendorIds(IsakmpMessage m)
    {
        m.Add(IsakmpPayloadType.VendorId, VendorIds.NatTRfc);
        m.Add(IsakmpPayloadType.VendorId, VendorIds.Dpd);
    }

    public static void ReadVendorIds(Phase1State state, IsakmpMessage m)
    {
        foreach (var v in m.All(IsakmpPayloadType.VendorId))
        {
            if (VendorIds.Is(v.Body, VendorIds.NatTRfc)) state.PeerNatT = true;
            else if (VendorIds.Is(v.Body, VendorIds.NatTDraft02N) || VendorIds.Is(v.Body, VendorIds.NatTDraft03)) state.PeerNatTDraft = true;
            else if (VendorIds.Is(v.Body, VendorIds.Dpd)) state.PeerDpd = true;
        }
    }

    public static bool NatT(Phase1State state) => state.PeerNatT || state.PeerNatTDraft;

    private static IsakmpPayloadType NatDType(Phase1State state) => state.PeerNatT ? IsakmpPayloadType.NatD : IsakmpPayloadType.NatDDraft;

    /// <summary>RFC 3947 §3.2: the hash of the destination first, then of the source (encap = yes fakes the source one, as strongSwan does).</summary>
    public static void AddNatD(Engine.IkeEngine engine, IkeSa sa, IsakmpMessage m)
    {
        var state = sa.V1!;
        if (!NatT(state)) return;
        var hash = state.Suite!.HashName;
        m.Add(NatDType(state), NatDetectionV1.Hash(hash, sa.SpiI, sa.SpiR, sa.Remote));
        var source = NatDetectionV1.Hash(hash, sa.SpiI, sa.SpiR, sa.Local);
        m.Add(NatDType(state), sa.Config.Encap ? engine.RandomBytes(source.Length) : source);
    }

    /// <summary>Compares the peer's NAT-D hashes with what we see: the first is how it sees us, the others how it sees itself.</summary>
    public static void ProcessNatD(IkeSa sa, IsakmpMessage m, IPEndPoint local, IPEndPoint remote)
    {
        var state = sa.V1!;
        var hashes = m.Payloads.Where(p => p.Type is IsakmpPayloadType.NatD or IsakmpPayloadType.NatDDraft).Select(p => p.Body).ToList();
        if (hashes.Count < 2) return;
        var hash = state.Suite!.HashName;
        var me = NatDetectionV1.Hash(hash, sa.SpiI, sa.SpiR, local);
        var other = NatDetectionV1.Hash(hash, sa.SpiI, sa.SpiR, remote);
        bool dstMatched = hashes[0].AsSpan().SequenceEqual(me);
        bool srcMatched = hashes.Skip(1).Any(h => h.AsSpan().SequenceEqual(other));
        sa.SetNat(!dstMatched, !srcMatched, dstMatched && srcMatched && sa.Config.Encap);
    }

    /// <summary>SKEYID for pre-shared keys, SKEYID_d/a/e, the cipher key and the CBC chain from hash(g^xi | g^xr).</summary>
    public static void DeriveKeys(IkeSa sa, byte[] sharedSecret)
    {
        var state = sa.V1!;
        var suite = state.Suite!;
        var skeyid = Phase1Keys.SkeyidPsk(suite.Prf, state.Psk!, state.Ni, state.Nr);
        state.Keys = Phase1Keys.Derive(suite.Prf, skeyid, sharedSecret, sa.SpiI, sa.SpiR, suite.Encryption.KeyLength);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(sharedSecret);
        var ivs = new IvChain(suite.HashName, suite.Encryption.BlockSize, state.PublicI, state.PublicR);
        state.Cipher = new Phase1Cipher(suite.Encryption, state.Keys.EncryptionKey, ivs);
    }

    public static byte[] Hash(IkeSa sa, bool ofInitiator, byte[] idBody)
    {
        var state = sa.V1!;
        return V1Hashes.Phase1(state.Suite!.Prf, state.Keys!.Skeyid, ofInitiator, state.PublicI, state.PublicR, sa.SpiI, sa.SpiR, state.SaBody, idBody);
    }

    /// <summary>The identity a pre-shared key is looked up for when the peer's ID is not known yet: remote.id, else its address.</summary>
    public static Identity PeerIdentityGuess(Engine.IkeEngine engine, ConnectionConfig config, IPAddress peer)
    {
        var pattern = engine.RemoteIdentityPattern(config);
        return pattern.IsAny || pattern.HasWildcards ? Identity.FromAddress(peer) : pattern;
    }

    public static string Offered(IEnumerable<Phase1Suite> suites) => string.Join(", ", suites.Select(s => $"{s}/{s.AuthMethod}"));
}

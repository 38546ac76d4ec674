using System.Net;
using Petrel.Ike.Config;
using Petrel.Ike.Sa;
using Petrel.Ike.Certificates;
using Petrel.Ike.Engine;
using Petrel.Ike.V1.Keying;
using Petrel.Ike.V1.Signatures;
using Petrel.Ike.V1.Wire;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V1.MainMode;

/// <summary>
/// The parts of Phase 1 both roles and both modes (Main, Aggressive) share: vendor IDs, NAT-D (RFC 3947), the key
/// schedule, our authentication (HASH, or CERT and SIG) and the check of the peer's (ID, then HASH or SIG).
/// </summary>
internal static class Phase1Steps
{
    /// <summary>
    /// The vendor IDs we announce in messages 1 and 2: RFC 3947 NAT-T, RFC 3706 DPD and, unless fragmentation = no, IKE
    /// fragmentation (a responder only when the initiator announced it, as strongSwan does).
    /// </summary>
    public static void AddVendorIds(IkeSa sa, IsakmpMessage m)
    {
        m.Add(IsakmpPayloadType.VendorId, VendorIds.NatTRfc);
        m.Add(IsakmpPayloadType.VendorId, VendorIds.Dpd);
        if (!sa.Config.Fragmentation.Equals("no", StringComparison.OrdinalIgnoreCase) && (sa.IsInitiator || sa.V1!.PeerFragmentation))
            m.Add(IsakmpPayloadType.VendorId, VendorIds.FragmentationWithCapabilities);
    }

    public static void ReadVendorIds(Phase1State state, IsakmpMessage m)
    {
        foreach (var v in m.All(IsakmpPayloadType.VendorId))
        {
            if (VendorIds.Is(v.Body, VendorIds.NatTRfc)) state.PeerNatT = true;
            else if (VendorIds.Is(v.Body, VendorIds.NatTDraft02N) || VendorIds.Is(v.Body, VendorIds.NatTDraft03)) state.PeerNatTDraft = true;
            else if (VendorIds.Is(v.Body, VendorIds.Dpd)) state.PeerDpd = true;
            else if (VendorIds.IsFragmentation(v.Body)) state.PeerFragmentation = true;
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

    /// <summary>SKEYID (pre-shared key or signatures, RFC 2409 §5), SKEYID_d/a/e, the cipher key and the CBC chain from hash(g^xi | g^xr).</summary>
    public static void DeriveKeys(IkeSa sa, byte[] sharedSecret)
    {
        var state = sa.V1!;
        var suite = state.Suite!;
        var skeyid = V1Signature.IsSignature(suite.AuthMethod)
            ? Phase1Keys.SkeyidSignature(suite.Prf, state.Ni, state.Nr, sharedSecret)
            : Phase1Keys.SkeyidPsk(suite.Prf, state.Psk!, state.Ni, state.Nr);
        state.Keys = Phase1Keys.Derive(suite.Prf, skeyid, sharedSecret, sa.SpiI, sa.SpiR, suite.Encryption.KeyLength);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(sharedSecret);
        var ivs = new IvChain(suite.HashName, suite.Encryption.BlockSize, state.PublicI, state.PublicR);
        state.Cipher = new Phase1Cipher(suite.Encryption, state.Keys.EncryptionKey, ivs);
    }

    public static byte[] Hash(IkeSa sa, bool ofInitiator, byte[] idBody)
    {
        var state = sa.V1!;
        return V1Hashes.Phase1(V1Credentials.AuthPrf(state.Suite!), state.Keys!.Skeyid, ofInitiator, state.PublicI, state.PublicR, sa.SpiI, sa.SpiR, state.SaBody, idBody);
    }

    /// <summary>
    /// The secret Phase 1 authenticates with, found before the keys are made: the pre-shared key for our and the
    /// peer's identity, or our certificate and key for the negotiated signature method. Null when found, else the reason.
    /// </summary>
    public static string? FindCredential(IkeEngine e, IkeSa sa, Identity peer)
    {
        var state = sa.V1!;
        string error;
        if (V1Signature.IsSignature(state.Suite!.AuthMethod))
        {
            state.Credential = V1Credentials.Credential(e, sa.Config, state.Suite.AuthMethod, out error);
            return state.Credential is null ? error : null;
        }
        state.Psk = e.FindV1Psk(sa, e.LocalIdentityFor(sa.Config, sa.Local.Address), peer, out error);
        return state.Psk is null ? error : null;
    }

    /// <summary>Our ID's proof: HASH_I/HASH_R for a pre-shared key, else our CERT payloads and SIG_I/SIG_R over that hash.</summary>
    public static void AddAuthentication(IkeSa sa, IsakmpMessage m, bool ofInitiator, byte[] idBody)
    {
        var state = sa.V1!;
        var hash = Hash(sa, ofInitiator, idBody);
        if (state.Credential is not { } credential)
        {
            m.Add(IsakmpPayloadType.Hash, hash);
            return;
        }
        V1Credentials.AddCertificates(m, credential);
        m.Add(IsakmpPayloadType.Signature, V1Signature.Sign(credential.Key, hash));
    }

    /// <summary>
    /// The peer's ID payload and its proof (HASH, or SIG with the certificate checked as IKEv2 checks it: chain, validity,
    /// key usage, identity, remote.id, revocation). Sets RemoteId; returns null, or why the peer is not authenticated.
    /// </summary>
    public static string? AuthenticatePeer(IkeEngine e, IkeSa sa, IsakmpMessage m, bool peerIsInitiator, byte[]? idBodyFromEarlier = null)
    {
        var state = sa.V1!;
        string message = peerIsInitiator ? "HASH_I" : "HASH_R";
        byte[]? idBody = idBodyFromEarlier ?? m.Get(IsakmpPayloadType.Identification)?.Body;
        if (idBody is null || !IdPayload.TryDecode(idBody, out var id) || id!.ToIdentity() is not { } peerId)
            return "no valid ID payload";
        var hash = Hash(sa, peerIsInitiator, idBody);
        var method = state.Suite!.AuthMethod;
        if (!V1Signature.IsSignature(method))
        {
            if (m.Get(IsakmpPayloadType.Hash) is not { } hashPayload)
                return $"no {message} payload";
            if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(hash, hashPayload.Body))
                return $"{message} of '{peerId}' does not verify: the pre-shared keys differ";
            var pattern = e.RemoteIdentityPattern(sa.Config);
            if (!pattern.Matches(peerId))
                return $"peer identified as '{peerId}', connection '{sa.Name}' expects remote.id '{pattern}'";
        }
        else
        {
            string sigName = peerIsInitiator ? "SIG_I" : "SIG_R";
            if (m.Get(IsakmpPayloadType.Signature) is not { } sig)
                return $"no {sigName} payload (authentication method {V1Credentials.Name(method)})";
            var sent = V1Credentials.PeerCertificates(m, out string error);
            if (sent is null) return $"peer '{peerId}' sent an unusable CERT payload: {error}";
            var result = e.Pubkey.VerifyCertificate(sa, sa.Config, peerId, sent, cert => V1Signature.Verify(cert, method, hash, sig.Body), sigName,
                new SignatureBudget());
            if (!result.Ok)
                return result.Deferred ? CrlPending : result.Reason;
        }
        sa.RemoteId = peerId;
        return null;
    }

    /// <summary>What <see cref="AuthenticatePeer"/> returns while a CRL the peer's certificate needs is being fetched.</summary>
    public const string CrlPending = "the peer's certificate waits for a CRL fetch";

    /// <summary>
    /// When <paramref name="failure"/> is <see cref="CrlPending"/>: the message waits, as IKEv2's IKE_AUTH does, and
    /// <paramref name="resume"/> processes it again when a fetch completes (IkeEngine.ResumeDeferred); the peer's
    /// retransmits of it are ignored meanwhile and ours of the message it answers stop. False for a real failure.
    /// </summary>
    public static bool DeferForCrl(IkeEngine e, IkeSa sa, IsakmpMessage m, string failure, Action<IkeSa, IsakmpMessage> resume)
    {
        if (!ReferenceEquals(failure, CrlPending)) return false;
        var state = sa.V1!;
        state.CrlWait = (m, resume);
        state.InFlight.Remove(0);
        e.Log.Info(sa, $"{(state.Aggressive ? "Aggressive" : "Main")} Mode message with the peer's certificate deferred until the CRL fetch completes");
        return true;
    }

    /// <summary>INITIAL_CONTACT with our first Phase 1 to this peer (unless unique = never), as strongSwan sends it.</summary>
    public static void AddInitialContact(IkeEngine e, IkeSa sa, IsakmpMessage m)
    {
        if (e.HasOtherSaWith(sa) || sa.Config.Unique == "never") return;
        var cookies = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(cookies, sa.SpiI);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(cookies.AsSpan(8), sa.SpiR);
        m.Add(IsakmpPayloadType.Notification, new V1Notify(IsakmpNotify.InitialContact, V1Protocol.Isakmp, cookies, []).Encode());
    }

    public static bool HasInitialContact(IsakmpMessage m) =>
        m.All(IsakmpPayloadType.Notification).Any(n => V1Notify.TryDecode(n.Body, out var x) && x!.Type == IsakmpNotify.InitialContact);

    /// <summary>The identity a pre-shared key is looked up for when the peer's ID is not known yet: remote.id, else its address.</summary>
    public static Identity PeerIdentityGuess(Engine.IkeEngine engine, ConnectionConfig config, IPAddress peer)
    {
        var pattern = engine.RemoteIdentityPattern(config);
        return pattern.IsAny || pattern.HasWildcards ? Identity.FromAddress(peer) : pattern;
    }

    public static string Offered(IEnumerable<Phase1Suite> suites) => string.Join(", ", suites.Select(s => $"{s}/{s.AuthMethod}"));

    /// <summary>The Phase 1 transforms a connection accepts as responder: its proposals with each authentication method it takes.</summary>
    public static IEnumerable<Phase1Suite> Acceptable(ConnectionConfig c)
    {
        var xauth = XAuth.XAuthMethod.Phase1(c, initiator: false);
        IReadOnlyList<V1AuthMethod> methods = xauth != V1AuthMethod.PreSharedKey ? [xauth] : V1Credentials.Accepted(c);
        return methods.SelectMany(method => Phase1Suite.FromConfigured(c.Proposals, method, c.RekeyTime));
    }
}

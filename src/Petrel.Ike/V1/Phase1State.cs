using System.Security.Cryptography;
using Petrel.Crypto.KeyExchange;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;
using Petrel.Ike.V1.Keying;
using Petrel.Ike.V1.QuickMode;

namespace Petrel.Ike.V1;

/// <summary>
/// What an IKEv1 SA keeps beside the protocol-neutral <see cref="Sa.IkeSa"/>: the negotiated Phase 1 suite and keys,
/// the CBC chains, the Main Mode step, what the peer announced in vendor IDs, the messages in flight for
/// retransmission (ours, by message ID) and the last answer to each of the peer's messages (resent when it repeats).
/// </summary>
internal sealed class Phase1State : IDisposable
{
    public List<Phase1Suite> Offered { get; set; } = [];
    /// <summary>The Phase 1 message whose certificate waits for a CRL fetch, and how to process it again (Phase1Steps.DeferForCrl).</summary>
    public (Wire.IsakmpMessage Message, Action<Sa.IkeSa, Wire.IsakmpMessage> Resume)? CrlWait { get; set; }
    public Phase1Suite? Suite { get; set; }
    /// <summary>SAi_b: the initiator's SA payload body, hashed into HASH_I/HASH_R.</summary>
    public byte[] SaBody { get; set; } = [];
    public KeyExchangeState? Ke { get; set; }
    public byte[] PublicI { get; set; } = [];
    public byte[] PublicR { get; set; } = [];
    public byte[] Ni { get; set; } = [];
    public byte[] Nr { get; set; } = [];
    public byte[]? Psk { get; set; }
    /// <summary>Our certificate and key when Phase 1 authenticates with signatures.</summary>
    public Auth.LocalCredential? Credential { get; set; }

    /// <summary>Aggressive Mode (3 messages) instead of Main Mode.</summary>
    public bool Aggressive { get; set; }
    /// <summary>Aggressive Mode: the initiator's ID payload body (sent or received in message 1, hashed in message 2 and 3).</summary>
    public byte[]? IdBodyI { get; set; }
    /// <summary>Aggressive Mode responder: the endpoints of message 1, which the NAT-D hashes of message 3 describe.</summary>
    public System.Net.IPEndPoint? HandshakeLocal { get; set; }
    public System.Net.IPEndPoint? HandshakeRemote { get; set; }
    public Phase1Keys? Keys { get; set; }
    public Phase1Cipher? Cipher { get; set; }

    /// <summary>The number of the last Phase 1 message sent or processed (Main Mode 1-6, Aggressive Mode 1-3).</summary>
    public int Step { get; set; }

    public bool PeerNatT { get; set; }
    public bool PeerNatTDraft { get; set; }
    public bool PeerDpd { get; set; }
    /// <summary>The peer sent the IKE fragmentation vendor ID (<see cref="Wire.VendorIds.IsFragmentation"/>).</summary>
    public bool PeerFragmentation { get; set; }

    /// <summary>The peer's message being put together from fragments; null until a fragment arrives.</summary>
    public Fragmentation.V1Reassembly? Reassembly { get; set; }

    /// <summary>Children to negotiate with Quick Mode once Phase 1 is up, and who waits for them.</summary>
    public List<ChildConfig> PendingChildren { get; } = [];
    /// <summary>Reqids the pending children keep (reauthentication: the policies stay in place).</summary>
    public List<uint> PendingReqIds { get; } = [];
    public InitiateCompletion? Completion { get; set; }

    /// <summary>XAuth and Mode Config (V1/XAuth, V1/ModeConfig): Transaction exchanges in flight and Phase 1's wait for them.</summary>
    public XAuth.TransactionState Transactions { get; } = new();

    /// <summary>Quick Mode exchanges in flight, by message ID.</summary>
    public Dictionary<uint, QuickModeExchange> QuickModes { get; } = [];

    /// <summary>The traffic limit (octets) each Quick Mode SA negotiated in kilobytes; absent when none was.</summary>
    public Dictionary<Sa.ChildSa, ulong> LifeBytes { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Quick Mode rekeys we started whose old SA still sends (make before break).</summary>
    public List<Switchover> Switches { get; } = [];

    /// <summary>Our messages waiting for an answer, by message ID (0 = Phase 1).</summary>
    public Dictionary<uint, Retransmission> InFlight { get; } = [];

    /// <summary>The last message from the peer per message ID (its SHA-256) and what we answered (resent on repeat: one datagram, or its fragments).</summary>
    public Dictionary<uint, (byte[] Digest, IReadOnlyList<byte[]>? Answer)> LastReceived { get; } = [];

    /// <summary>RFC 3706 sequence numbers: ours (next R-U-THERE) and the last R-U-THERE we sent still unanswered.</summary>
    public uint DpdSequence { get; set; }
    public uint? DpdPending { get; set; }
    public TimeSpan DpdSentAt { get; set; }

    public void ForgetHandshake()
    {
        Ke?.Dispose();
        Ke = null;
        if (Psk is not null) CryptographicOperations.ZeroMemory(Psk);
        Psk = null;
        Credential = null;
    }

    public void Dispose()
    {
        ForgetHandshake();
        Cipher?.Dispose();
        Cipher = null;
        Keys?.Dispose();
        Keys = null;
    }
}

/// <summary>A message of ours that an answer ends; sent again with back-off until the tries run out.</summary>
internal sealed class Retransmission
{
    /// <summary>The datagram, or every fragment of a fragmented message.</summary>
    public required IReadOnlyList<byte[]> Datagrams { get; init; }
    public int Tries { get; set; }
    public TimeSpan Next { get; set; }
}

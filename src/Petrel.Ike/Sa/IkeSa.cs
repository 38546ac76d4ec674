using System.Net;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Config;
using Petrel.Ike.Keying;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Sa;

/// <summary>
/// One IKE SA and everything the engine tracks for it: role, SPIs, endpoints, NAT state, keys,
/// message-ID windows (RFC 7296 §2.3, a window of 1 each way), the outstanding request, the cached
/// last response, the queue of exchanges still to initiate, and its CHILD_SAs.
/// </summary>
internal sealed partial class IkeSa
{
    public required uint UniqueId { get; init; }
    public required ConnectionConfig Config
    {
        get => _config;
        set
        {
            var from = _config?.Name;
            _config = value;
            if (from is not null && from != value.Name) TableEntry?.NameChanged(this, from);
        }
    }
    private ConnectionConfig _config = null!;
    public required bool IsInitiator { get; init; }
    public ulong SpiI { get; set; }
    public ulong SpiR { get; set; }
    public IkeSaState State { get; private set; } = IkeSaState.Created;

    /// <summary>
    /// The SA table's entry while the SA is in it (<see cref="IkeSaManager"/>): its places in the indexes; told of every
    /// transition, move and rename so the table keeps its indexes and half-open counters with them.
    /// </summary>
    public IkeSaTableEntry? TableEntry { get; private set; }

    public void JoinTable(IkeSaTableEntry entry) => TableEntry = entry;

    /// <summary>The entry the SA leaves (null when it was not in the table).</summary>
    public IkeSaTableEntry? LeaveTable()
    {
        var e = TableEntry;
        TableEntry = null;
        return e;
    }

    /// <summary>
    /// The only way the state changes: an edge of <see cref="IkeSaStateGraph"/>, or nothing when already there.
    /// Anything else is a bug and throws <see cref="InvalidStateTransitionException"/> before changing anything.
    /// </summary>
    public void MoveTo(IkeSaState next)
    {
        var from = State;
        if (from == next) return;
        if (!IkeSaStateGraph.Allows(from, next))
            throw new InvalidStateTransitionException($"IKE_SA {Tag}", StateNames.Of(from), StateNames.Of(next));
        State = next;
        TableEntry?.StateChanged(this, from);
        Observer?.Invoke(this, from);
    }

    /// <summary>The engine's event feed, told of every transition from creation on (registered in the SA table or not).</summary>
    public Action<IkeSa, IkeSaState>? Observer { get; init; }

    /// <summary>Made by an IKE SA rekey (its ESTABLISHED is a rekey, not an "up").</summary>
    public bool FromRekey { get; set; }

    /// <summary>Reached ESTABLISHED once: its end is a "down".</summary>
    public bool WasUp { get; set; }

    /// <summary>Why <c>Destroy</c> ended it, for the feed's down/failure event.</summary>
    public string? EndReason { get; private set; }

    /// <summary>Keeps the first reason given for the SA's end.</summary>
    public void NoteEndReason(string reason) => EndReason ??= reason;

    /// <summary>A failure event was put on the feed for it already.</summary>
    public bool FailureReported { get; set; }

    /// <summary>Our SPI: the key of the engine's SA table.</summary>
    public ulong LocalSpi => IsInitiator ? SpiI : SpiR;

    public required IPEndPoint Local { get; set; }
    public required IPEndPoint Remote
    {
        get => _remote;
        set
        {
            var from = _remote;
            _remote = value;
            if (from is not null && !from.Equals(value)) TableEntry?.RemoteChanged(this, from);
        }
    }
    private IPEndPoint _remote = null!;


    /// <summary>RFC 7296 §2.23: a NAT in front of us / in front of the peer; NatFake is strongSwan's forced encapsulation.</summary>
    public bool NatHere { get; private set; }
    public bool NatThere { get; private set; }
    public bool NatFake { get; private set; }

    /// <summary>What NAT detection found (or a rekeyed SA inherits), and whether encapsulation is forced.</summary>
    public void SetNat(bool here, bool there, bool fake)
    {
        NatHere = here;
        NatThere = there;
        NatFake = fake;
    }
    public bool NatAny => NatHere || NatThere || NatFake;

    public Proposal? Proposal { get; set; }
    public IkeCipherSuite? Suite { get; set; }
    public IkeSaKeys? Keys { get; private set; }
    public SkCipher? CipherOut { get; private set; }
    public SkCipher? CipherIn { get; private set; }

    /// <summary>The SK_* keys from SKEYSEED (IKE_SA_INIT or an IKE SA rekey); <see cref="CreateCiphers"/> then protects messages with them.</summary>
    public void SetKeys(IkeSaKeys keys) => Keys = keys;

    /// <summary>The SK payload ciphers for both directions from <see cref="Keys"/>: ours protect what we send.</summary>
    public void CreateCiphers(IkeCipherSuite suite, Petrel.Crypto.Primitives.IRandom random)
    {
        CipherOut = suite.CreateCipher(Keys!, IsInitiator, random);
        CipherIn = suite.CreateCipher(Keys!, !IsInitiator, random);
    }
    public KeyExchangeState? KeyExchange { get; set; }
    public ushort KeGroup { get; set; }
    public byte[] Ni { get; set; } = [];
    public byte[] Nr { get; set; } = [];

    /// <summary>The two IKE_SA_INIT messages exactly as sent and received (§2.15 signed octets).</summary>
    public byte[] InitRequest { get; set; } = [];
    public byte[] InitResponse { get; set; } = [];

    public Identity? LocalId { get; set; }
    public Identity? RemoteId { get; set; }

    // §2.3: our next request's message ID, and the ID we expect on the peer's next request.
    public uint NextRequestId { get; private set; }
    public uint ExpectedRequestId { get; private set; }

    /// <summary>§2.3: our request with this message ID went out; the next one takes the following ID.</summary>
    public void RequestSent(uint messageId) => NextRequestId = messageId + 1;

    /// <summary>§2.18: a new IKE SA from a rekey starts its message IDs at 0 in both directions.</summary>
    public void RestartMessageIds()
    {
        NextRequestId = 0;
        ExpectedRequestId = 0;
    }

    /// <summary>§2.1/§2.3: the response to the peer's request <paramref name="messageId"/> is kept for its retransmits, and the window moves on.</summary>
    public void CacheResponse(uint messageId, byte[] first, IReadOnlyList<byte[]>? fragments)
    {
        LastResponse = first;
        LastResponseFragments = fragments;
        LastResponseId = messageId;
        ExpectedRequestId = messageId + 1;
    }

    /// <summary>§2.1/§2.3: our request on the wire (window of one), until its response arrives or we give up.</summary>
    public PendingRequest? Outstanding { get; private set; }

    public void SetOutstanding(PendingRequest request) => Outstanding = request;

    /// <summary>The outstanding request, no longer outstanding.</summary>
    public PendingRequest? TakeOutstanding()
    {
        var pending = Outstanding;
        Outstanding = null;
        return pending;
    }
    public Queue<IkeTask> Tasks { get; } = new();

    /// <summary>§2.1: the last response, retransmitted verbatim when its request arrives again.</summary>
    public byte[]? LastResponse { get; private set; }
    public uint LastResponseId { get; private set; }

    public List<ChildSa> Children { get; } = [];

    public TimeSpan CreatedAt { get; init; }
    public TimeSpan EstablishedAt { get; private set; }
    public DateTimeOffset EstablishedWallClock { get; private set; }

    /// <summary>When it became ESTABLISHED, on the engine's clock and the wall clock (listings).</summary>
    public void StampEstablished(TimeSpan now, DateTimeOffset wallClock)
    {
        EstablishedAt = now;
        EstablishedWallClock = wallClock;
    }
    public TimeSpan NextKeepalive { get; set; } = TimeSpan.MaxValue;

    public string Name => Config.Name;
    public string Tag => $"{Config.Name}[{UniqueId}]";

    public bool IsHalfOpen => !IsInitiator && State == IkeSaState.Connecting;

    /// <summary>Cipher for a message from the original initiator (true) or responder (false).</summary>
    public SkCipher? CipherFor(bool fromInitiator) => fromInitiator == IsInitiator ? CipherOut : CipherIn;

    /// <summary>
    /// RFC 7296 §2.15: the IKE_SA_INIT messages and both nonces are signed in IKE_AUTH and nowhere after it, and the
    /// Diffie-Hellman private value has served once SKEYSEED exists; an established SA keeps none of them.
    /// </summary>
    public void ReleaseHandshakeState()
    {
        KeyExchange?.Dispose();
        KeyExchange = null;
        InitRequest = [];
        InitResponse = [];
        Ni = [];
        Nr = [];
        IntAuthI = [];
        IntAuthR = [];
        PreviousCipherIn?.Dispose();
        PreviousCipherIn = null;
        if (PendingIntermediateSecret is { } secret) System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        PendingIntermediateSecret = null;
    }

    public void DisposeKeys()
    {
        CipherOut?.Dispose();
        CipherIn?.Dispose();
        CipherOut = CipherIn = null;
        PreviousCipherIn?.Dispose();
        PreviousCipherIn = null;
        Keys?.Dispose();
        KeyExchange?.Dispose();
        KeyExchange = null;
        V1?.Dispose();
    }
}

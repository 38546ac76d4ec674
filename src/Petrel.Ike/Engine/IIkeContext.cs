using System.Net;
using Petrel.Crypto.Primitives;
using Petrel.DataPlane.Kernel;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Engine;

/// <summary>
/// What an exchange sees of the engine: the narrow door a task (an exchange we start) or a responder
/// (one we answer) is given instead of <see cref="IkeEngine"/>. Grouped by the service it stands for:
/// time and randomness, the data plane, the log, credentials, the SA table, the scheduler and the
/// sender. Engine thread only, like the engine itself.
/// </summary>
internal interface IIkeContext
{
    IkeEngineOptions Options { get; }
    IClock Clock { get; }
    IRandom Random { get; }

    /// <summary>Fresh random octets (nonces, SPIs of CHILD_SAs).</summary>
    byte[] RandomBytes(int length);

    /// <summary>The data plane: SAs and policies installed and removed, counters read.</summary>
    IIpsecKernel Kernel { get; }

    IkeLog Log { get; }
    IkeCounters Counters { get; }
    IIkeCredentials Credentials { get; }
    IIkeSaTable Sas { get; }
    IIkeScheduler Scheduler { get; }
    IIkeSender Sender { get; }

    /// <summary>The event feed and activity counters (<see cref="IkeEngine.Events"/>, <see cref="IkeEngine.Activity"/>).</summary>
    IIkeEvents Events { get; }

    /// <summary>The CHILD_SA part shared by IKE_AUTH and CREATE_CHILD_SA.</summary>
    ChildSaNegotiation Children { get; }

    /// <summary>Address pools for the peers' virtual IPs, and where ours are installed (RFC 7296 §3.15).</summary>
    Pools.AddressPoolSet Pools { get; }
    IVirtualIpHost? VirtualIpHost { get; }

    /// <summary>EAP-RADIUS and accounting (petrel { eap-radius { … } }); null when not configured.</summary>
    Radius.RadiusService? Radius { get; }
}

/// <summary>Secrets, certificates and the identities derived from them.</summary>
internal interface IIkeCredentials
{
    PskAuthenticator Psk { get; }
    PubkeyAuthenticator Pubkey { get; }
    IReadOnlyList<SharedSecret> Secrets { get; }

    /// <summary>The certificates, keys and CRLs the daemon loaded; null when none.</summary>
    CertificateStore? Store { get; }

    RevocationChecker NewRevocationChecker();

    Identity LocalIdentity(IkeSa sa);
    Identity LocalIdentityFor(ConnectionConfig c, IPAddress address, IReadOnlyList<byte[]>? requestedCas = null);
    Identity RemoteIdentityPattern(ConnectionConfig c);
}

/// <summary>The SA table and the lifecycle steps that keep its indexes and the data plane in step.</summary>
internal interface IIkeSaTable
{
    IkeSa CreateSa(ConnectionConfig config, bool initiator, IPEndPoint local, IPEndPoint remote);
    void Register(IkeSa sa, ulong initiatorSpiForLookup);
    void Established(IkeSa sa);

    /// <summary>RFC 2866 Start for a client the RADIUS server accepted (when accounting is on).</summary>
    void StartAccounting(IkeSa sa, Radius.RadiusEapOutcome accept, string userName);
    void Destroy(IkeSa sa, string reason);

    /// <summary>IKE SA rekey: the new SA joins the table, takes over the CHILD_SAs, the old one retires.</summary>
    void AdoptRekeyed(IkeSa sa);
    void MoveToSuccessor(IkeSa old, IkeSa successor);
    void RetireRekeyed(IkeSa old);

    /// <summary>unique = … and INITIAL_CONTACT; false when this SA itself was refused.</summary>
    bool CheckUniqueness(IkeSa sa, bool initialContact);
    bool HasOtherSaWith(IkeSa sa);

    /// <summary>Another live SA whose peer holds <paramref name="address"/> as its virtual IP (lease or RADIUS Framed-IP), else null.</summary>
    IkeSa? VipHolder(IPAddress address, IkeSa except);
    /// <summary>Responder SAs not yet established, counted as their states change (not by walking the table).</summary>
    int HalfOpenCount { get; }
    int HalfOpenFrom(IPAddress peer);
    List<ConnectionConfig> ConnectionsFor(IPAddress local, IPAddress remote);

    uint NewChildId();
    uint NewReqId();
    bool ReqIdInUse(uint reqId, ChildSa except);
    void SetInstalled(ChildSa child, bool installed);
    void RemoveInbound(IkeSa sa, ChildSa child, bool replaced);
    void ChildClosedByPeer(IkeSa sa, ChildConfig child, ChildSaState stateBefore);
    void AddAcquireSelectors(IkeSa sa, ChildSa child);
}

/// <summary>Timers and the per-SA task queue.</summary>
internal interface IIkeScheduler
{
    /// <summary>The SA's deadlines changed: the timer queue re-reads them.</summary>
    void Touch(IkeSa sa);
    void ScheduleChild(ChildSa child);
    TimeSpan RetryDelay();
    void Queue(IkeSa sa, IkeTask task);
    void PumpSa(IkeSa sa);

    /// <summary>Parks a message until what it needs has arrived (a CRL fetch, a RADIUS server's answer: <paramref name="waitingFor"/> names it for the log).</summary>
    void Defer(IkeSa sa, IkeMessage m, PendingRequest? pending, string waitingFor = "a CRL fetch");

    /// <summary>Processes the SA's parked message again now (a RADIUS answer arrived).</summary>
    void Resume(IkeSa sa);

    /// <summary>Runs a job on the crypto workers, applied in order per SA; false: half-open work shed by a full queue.</summary>
    bool RunCrypto(IkeSa sa, CryptoJob job, bool halfOpen);
}

/// <summary>Messages out: headers, SK protection and fragments, datagrams, NAT-T ports.</summary>
internal interface IIkeSender
{
    IkeMessage NewMessage(IkeSa sa, ExchangeType exchange, bool response, uint messageId);
    IReadOnlyList<byte[]> EncodeProtected(IkeSa sa, IkeMessage m);
    void SendAll(IPEndPoint local, IPEndPoint remote, byte[] first, IReadOnlyList<byte[]>? fragments);
    void SendRaw(IPEndPoint local, IPEndPoint remote, byte[] bytes);
    void SendNotifyOnce(IkeSa sa, NotifyType type);
    void FloatToNatT(IkeSa sa);
    string NatText(IkeSa sa);
}

/// <summary>What exchanges report to the event feed: failures by the part that failed, and exchange counts.</summary>
internal interface IIkeEvents
{
    /// <summary>A negotiation failed (the caller logs its own line): counted by part and put on the feed.</summary>
    void Failed(IkeSa? sa, SaFailure failure, string message, string connection = "", IPEndPoint? remote = null);
    /// <summary>A request or response we sent, counted globally and for the SA's connection (vici get-counters --name).</summary>
    void CountRequest(ExchangeType exchange, IkeSa sa);
    void CountResponse(ExchangeType exchange, IkeSa sa);
    void CountRetransmit(IkeSa sa);

    /// <summary>Set on every CHILD_SA as it is made: its transitions reach the feed.</summary>
    Action<ChildSa, ChildSaState> ChildObserver { get; }
}

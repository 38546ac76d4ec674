using System.Net;
using Petrel.Crypto.Primitives;
using Petrel.DataPlane.Kernel;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Engine;

/// <summary>
/// The engine as the exchanges see it (<see cref="IIkeContext"/>): each group of services is the engine
/// itself behind a smaller interface, so a task or responder can reach only what it is meant to use.
/// </summary>
public sealed partial class IkeEngine : IIkeContext, IIkeCredentials, IIkeSaTable, IIkeScheduler, IIkeSender
{
    IkeEngineOptions IIkeContext.Options => Options;
    IClock IIkeContext.Clock => Clock;
    IRandom IIkeContext.Random => Random;
    byte[] IIkeContext.RandomBytes(int length) => RandomBytes(length);
    IIpsecKernel IIkeContext.Kernel => Kernel;
    IkeLog IIkeContext.Log => Log;
    IkeCounters IIkeContext.Counters => Counters;
    IIkeCredentials IIkeContext.Credentials => this;
    IIkeSaTable IIkeContext.Sas => this;
    IIkeScheduler IIkeContext.Scheduler => this;
    IIkeSender IIkeContext.Sender => this;
    ChildSaNegotiation IIkeContext.Children => Children;

    PskAuthenticator IIkeCredentials.Psk => Psk;
    PubkeyAuthenticator IIkeCredentials.Pubkey => Pubkey;
    IReadOnlyList<SharedSecret> IIkeCredentials.Secrets => _secrets;
    CertificateStore? IIkeCredentials.Store => _credentials;
    RevocationChecker IIkeCredentials.NewRevocationChecker() => NewRevocationChecker();
    Identity IIkeCredentials.LocalIdentity(IkeSa sa) => LocalIdentity(sa);
    Identity IIkeCredentials.LocalIdentityFor(ConnectionConfig c, IPAddress address, IReadOnlyList<byte[]>? requestedCas) => LocalIdentityFor(c, address, requestedCas);
    Identity IIkeCredentials.RemoteIdentityPattern(ConnectionConfig c) => RemoteIdentityPattern(c);

    IkeSa IIkeSaTable.CreateSa(ConnectionConfig config, bool initiator, IPEndPoint local, IPEndPoint remote) => CreateSa(config, initiator, local, remote);
    void IIkeSaTable.Register(IkeSa sa, ulong initiatorSpiForLookup) => Register(sa, initiatorSpiForLookup);
    void IIkeSaTable.Established(IkeSa sa) => Established(sa);
    void IIkeSaTable.Destroy(IkeSa sa, string reason) => Destroy(sa, reason);
    void IIkeSaTable.AdoptRekeyed(IkeSa sa) => AdoptRekeyed(sa);
    void IIkeSaTable.MoveToSuccessor(IkeSa old, IkeSa successor) => MoveToSuccessor(old, successor);
    void IIkeSaTable.RetireRekeyed(IkeSa old) => RetireRekeyed(old);
    bool IIkeSaTable.CheckUniqueness(IkeSa sa, bool initialContact) => CheckUniqueness(sa, initialContact);
    bool IIkeSaTable.HasOtherSaWith(IkeSa sa) => HasOtherSaWith(sa);
    int IIkeSaTable.HalfOpenCount => _sas.HalfOpen;
    int IIkeSaTable.HalfOpenFrom(IPAddress peer) => _sas.HalfOpenFrom(peer);
    List<ConnectionConfig> IIkeSaTable.ConnectionsFor(IPAddress local, IPAddress remote) => ConnectionsFor(local, remote);
    uint IIkeSaTable.NewChildId() => NewChildId();
    uint IIkeSaTable.NewReqId() => NewReqId();
    bool IIkeSaTable.ReqIdInUse(uint reqId, ChildSa except) => ReqIdInUse(reqId, except);
    void IIkeSaTable.SetInstalled(ChildSa child, bool installed) => SetInstalled(child, installed);
    void IIkeSaTable.RemoveInbound(IkeSa sa, ChildSa child, bool replaced) => RemoveInbound(sa, child, replaced);
    void IIkeSaTable.ChildClosedByPeer(IkeSa sa, ChildConfig child, ChildSaState stateBefore) => ChildClosedByPeer(sa, child, stateBefore);
    void IIkeSaTable.AddAcquireSelectors(IkeSa sa, ChildSa child) => AddAcquireSelectors(sa, child);

    void IIkeScheduler.Touch(IkeSa sa) => Touch(sa);
    void IIkeScheduler.ScheduleChild(ChildSa child) => ScheduleChild(child);
    TimeSpan IIkeScheduler.RetryDelay() => RetryDelay();
    void IIkeScheduler.Queue(IkeSa sa, IkeTask task) => Queue(sa, task);
    void IIkeScheduler.PumpSa(IkeSa sa) => Pump(sa);
    void IIkeScheduler.Defer(IkeSa sa, IkeMessage m, PendingRequest? pending, string waitingFor) => Defer(sa, m, pending, waitingFor);
    void IIkeScheduler.Resume(IkeSa sa) => ResumeDeferred(sa);
    void IIkeSaTable.StartAccounting(IkeSa sa, Radius.RadiusEapOutcome accept, string userName) => StartAccounting(sa, accept, userName);
    bool IIkeScheduler.RunCrypto(IkeSa sa, CryptoJob job, bool halfOpen) => RunCrypto(sa, job, halfOpen);

    IkeMessage IIkeSender.NewMessage(IkeSa sa, ExchangeType exchange, bool response, uint messageId) => TaskManager.NewMessage(sa, exchange, response, messageId);
    IReadOnlyList<byte[]> IIkeSender.EncodeProtected(IkeSa sa, IkeMessage m) => EncodeProtected(sa, m);
    void IIkeSender.SendAll(IPEndPoint local, IPEndPoint remote, byte[] first, IReadOnlyList<byte[]>? fragments) => SendAll(local, remote, first, fragments);
    void IIkeSender.SendRaw(IPEndPoint local, IPEndPoint remote, byte[] bytes) => SendRaw(local, remote, bytes);
    void IIkeSender.SendNotifyOnce(IkeSa sa, NotifyType type) => Exchanges.SendNotifyOnce(sa, type);
    void IIkeSender.FloatToNatT(IkeSa sa) => FloatToNatT(sa);
    string IIkeSender.NatText(IkeSa sa) => NatText(sa);
}

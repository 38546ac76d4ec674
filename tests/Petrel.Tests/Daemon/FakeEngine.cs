using System.Net;
using Petrel.Daemon;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Ike.Config;

namespace Petrel.Tests.Daemon;

/// <summary>
/// An engine stand-in for daemon tests: "up" establishes an SA at once (or never, for connections
/// named in <see cref="Hang"/>), and every call records its thread so tests can check that the
/// daemon serializes engine calls on one thread.
/// </summary>
public sealed class FakeEngine : IEngineFacade
{
    private readonly List<IkeSaInfo> _sas = [];
    private IReadOnlyList<ConnectionConfig> _connections = [];

    public HashSet<string> Hang { get; } = [];
    public List<string> Calls { get; } = [];
    public HashSet<int> Threads { get; } = [];
    public int Ticks { get; private set; }
    public IReadOnlyList<SharedSecret> Secrets { get; private set; } = [];

    private void Record(string call)
    {
        lock (Calls)
        {
            Calls.Add(call);
            Threads.Add(Environment.CurrentManagedThreadId);
        }
    }

    public void Load(IReadOnlyList<ConnectionConfig> connections, IReadOnlyList<SharedSecret> secrets)
    {
        Record("load");
        _connections = connections;
        Secrets = secrets;
    }

    public IReadOnlyList<ConnectionConfig> Connections => _connections;

    /// <summary>Every datagram received, in order (copies).</summary>
    public List<byte[]> Datagrams { get; } = [];

    /// <summary>Set to make each Receive take this long, as a busy engine would.</summary>
    public TimeSpan ReceiveDelay { get; set; }

    public void Receive(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> message)
    {
        Record("receive");
        lock (Datagrams) Datagrams.Add(message.ToArray());
        if (ReceiveDelay > TimeSpan.Zero) Thread.Sleep(ReceiveDelay);
    }

    public void Tick()
    {
        lock (Calls) Threads.Add(Environment.CurrentManagedThreadId);
        Ticks++;
    }

    public TimeSpan? NextDeadline => null;

    public void Initiate(string connection, string? child, Action<InitiateResult> done)
    {
        Record($"initiate {connection} {child}");
        if (Hang.Contains(connection))
            return;
        uint id = (uint)_sas.Count + 1;
        var config = _connections.First(c => c.Name == connection);
        var children = config.Children.Where(c => child is null || c.Name == child).Select((c, i) => new ChildSaInfo
        {
            Name = c.Name,
            UniqueId = (uint)i + 1,
            ReqId = 1,
            State = "INSTALLED",
            Mode = "TUNNEL",
            Protocol = "ESP",
            Encap = true,
            SpiIn = "c1a2b3c4",
            SpiOut = "d5e6f708",
            Encr = "AES_GCM_16_128",
            LocalTs = c.LocalTs,
            RemoteTs = c.RemoteTs,
            BytesIn = 840,
            BytesOut = 1680,
            PacketsIn = 10,
            PacketsOut = 20,
            InstallSeconds = 3,
            RekeySeconds = 3060,
            ExpireSeconds = 3960,
        }).ToList();
        _sas.Add(new IkeSaInfo
        {
            Name = connection,
            UniqueId = id,
            State = "ESTABLISHED",
            LocalHost = "198.18.0.1",
            RemoteHost = "198.18.0.2",
            LocalId = config.Local.Id ?? "",
            RemoteId = config.Remote.Id ?? "",
            Initiator = true,
            InitiatorSpi = "0123456789abcdef",
            ResponderSpi = "fedcba9876543210",
            Encr = "AES_CBC_128",
            Integ = "HMAC_SHA2_256_128",
            Prf = "PRF_HMAC_SHA2_256",
            Dh = "MODP_2048",
            EstablishedSeconds = 5,
            RekeySeconds = 10000,
            Children = children,
        });
        Sink?.Invoke(new SaEvent { Kind = SaEventKind.IkeUp, Time = DateTimeOffset.UtcNow, Connection = connection, IkeSaId = id, IkeState = "ESTABLISHED" });
        done(new InitiateResult(true, $"connection '{connection}' established successfully", id));
    }

    public void Terminate(string connection, string? child, Action<InitiateResult> done)
    {
        Record($"terminate {connection} {child}");
        int removed = _sas.RemoveAll(s => s.Name == connection);
        done(removed > 0 ? new InitiateResult(true, $"IKE SA '{connection}' deleted") : new InitiateResult(false, $"no IKE SA of '{connection}'"));
    }

    /// <summary>The daemon's feed (UseEventFeed); Initiate publishes an IkeUp into it.</summary>
    public Action<SaEvent>? Sink { get; private set; }

    public void UseEventFeed(Action<SaEvent> sink) => Sink = sink;

    public IReadOnlyList<IkeSaInfo> ListSas()
    {
        Record("list-sas");
        return [.. _sas];
    }

    public IReadOnlyList<IkeV2KeyExport> ExportIkeKeys() =>
    [
        new("0123456789abcdef", "fedcba9876543210", "00112233445566778899aabbccddeeff", "ffeeddccbbaa99887766554433221100",
            "AES-CBC-128 [RFC3602]", "0101010101010101010101010101010101010101010101010101010101010101",
            "0202020202020202020202020202020202020202020202020202020202020202", "HMAC_SHA2_256_128 [RFC4868]"),
    ];

    public IReadOnlyList<EspKeyExport> ExportEspKeys() =>
    [
        new("IPv4", "198.18.0.1", "198.18.0.2", "d5e6f708", "AES-GCM with 16 octet ICV [RFC4106]", "000102030405060708090a0b0c0d0e0f10111213", "NULL", ""),
    ];
}

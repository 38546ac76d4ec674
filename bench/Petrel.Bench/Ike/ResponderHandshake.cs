using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Crypto.Primitives;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Kernel;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;

namespace Petrel.Bench.Ike;

/// <summary>
/// IKE SAs set up in one process, initiator and responder engines joined by a queue, with a kernel that only
/// counts: what the responder's engine itself costs per IKE SA with one CHILD_SA (PSK), apart from sockets,
/// the data plane and the initiator, whose time is not counted. The initiator has one connection per SA (as
/// charon's load-tester), the responder one connection for all (remote id %any, unique = never).
/// </summary>
public sealed class ResponderHandshake
{
    private static readonly IPAddress InitiatorAddress = IPAddress.Parse("198.18.0.1");
    private static readonly IPAddress ResponderAddress = IPAddress.Parse("198.18.0.2");

    private IkeEngine _initiator;
    private readonly IkeEngine _responder;
    private readonly Queue<(bool ToResponder, IPEndPoint From, IPEndPoint To, byte[] Bytes)> _wire = new();
    private readonly int _count;
    private int _next;

    public ResponderHandshake(int count, string ike = "aes128gcm16-prfsha256-ecp256", string esp = "aes128gcm16", ILoggerFactory? responderLog = null, bool userspaceKernel = false)
    {
        _count = count;
        var clock = new StopwatchClock();
        var secret = new SharedSecret { Ids = [], Secret = "petrel-bench-psk-0123456789"u8.ToArray() };
        var initiatorConns = new List<ConnectionConfig>(count);
        for (int i = 0; i < count; i++)
            initiatorConns.Add(Connection($"c{i}", InitiatorAddress, ResponderAddress, $"c{i}.bench", "srv.bench", ike, esp, $"10.{1 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}/32", "10.200.0.0/16", "no"));
        _initiator = new IkeEngine(new IkeEngineOptions(), new CountingKernel(0x10000000), new Transport(this, toResponder: true), clock, SystemRandom.Instance, NullLoggerFactory.Instance);
        IIpsecKernel kernel = userspaceKernel
            ? new Petrel.DataPlane.Pipeline.UserspaceKernel(new NoOuter(), new NoTunnel(), logger: (responderLog ?? NullLoggerFactory.Instance).CreateLogger<Petrel.DataPlane.Pipeline.UserspaceKernel>())
            : new CountingKernel(0x20000000);
        _responder = new IkeEngine(new IkeEngineOptions { CookieThreshold = int.MaxValue, BlockThreshold = 0 }, kernel, new Transport(this, toResponder: false), clock, SystemRandom.Instance, responderLog ?? NullLoggerFactory.Instance);
        _initiator.Load(initiatorConns, [secret]);
        _responder.Load([Connection("gw", ResponderAddress, InitiatorAddress, "srv.bench", null, ike, esp, "10.200.0.0/16", "10.0.0.0/9", "never")], [secret]);
    }

    /// <summary>
    /// CPU time of the calling thread in nanoseconds (CLOCK_THREAD_CPUTIME_ID): other processes on the machine
    /// do not count, unlike wall-clock time.
    /// </summary>
    private static long ThreadCpuTicks()
    {
        ClockGetTime(3, out var ts);
        return ts.Seconds * 1_000_000_000 + ts.Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec ts);

    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>CPU time the responder's Receive took (thread CPU time, not wall clock).</summary>
    public TimeSpan ResponderTime { get; private set; }

    /// <summary>Bytes the responder's Receive allocated.</summary>
    public long ResponderAllocated { get; private set; }

    public int Established { get; private set; }

    /// <summary>
    /// Lets the initiator engine and everything it holds be collected (after the run: then the managed heap still
    /// held is the responder's).
    /// </summary>
    public void DropInitiator()
    {
        _initiator = null!;
        _wire.Clear();
    }

    /// <summary>The responder engine (for listings after the run).</summary>
    public IkeEngine Responder => _responder;

    /// <summary>Sets up the next <paramref name="n"/> IKE SAs, delivering every message at once.</summary>
    public void SetUp(int n)
    {
        for (int k = 0; k < n && _next < _count; k++, _next++)
            _initiator.Initiate($"c{_next}", null, r => { if (r.Success) Established++; });
        while (_wire.Count > 0)
        {
            var (toResponder, from, to, bytes) = _wire.Dequeue();
            if (!toResponder)
            {
                _initiator.Receive(to, from, bytes);
                continue;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            long start = ThreadCpuTicks();
            _responder.Receive(to, from, bytes);
            ResponderTime += TimeSpan.FromTicks((ThreadCpuTicks() - start) / 100);
            ResponderAllocated += GC.GetAllocatedBytesForCurrentThread() - allocated;
        }
    }

    private static ConnectionConfig Connection(string name, IPAddress local, IPAddress remote, string localId, string? remoteId, string ike, string esp, string localTs, string remoteTs, string unique) => new()
    {
        Name = name,
        LocalAddrs = [local.ToString()],
        RemoteAddrs = [remote.ToString()],
        Proposals = ProposalParser.Parse(ike, SecurityProtocol.Ike),
        Local = new AuthConfig { Auth = "psk", Id = localId },
        Remote = new AuthConfig { Auth = "psk", Id = remoteId },
        Unique = unique,
        Children =
        [
            new ChildConfig
            {
                Name = "net",
                LocalTs = [localTs],
                RemoteTs = [remoteTs],
                EspProposals = ProposalParser.Parse(esp, SecurityProtocol.Esp),
            },
        ],
    };

    private sealed class Transport(ResponderHandshake owner, bool toResponder) : IIkeTransport
    {
        public void Send(IPEndPoint local, IPEndPoint remote, ReadOnlyMemory<byte> message) =>
            owner._wire.Enqueue((toResponder, local, remote, message.ToArray()));
    }

    private sealed class StopwatchClock : IClock
    {
        public TimeSpan Now => Stopwatch.GetElapsedTime(0);
        public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;
    }

    private sealed class NoOuter : Petrel.DataPlane.Pipeline.IOuterTransport
    {
        public bool SendEsp(Petrel.DataPlane.Esp.EspPeer peer, ReadOnlySpan<byte> espPacket) => true;
    }

    private sealed class NoTunnel : Petrel.DataPlane.Pipeline.ITunnelDevice
    {
        public bool WritePacket(ReadOnlySpan<byte> packet) => true;
    }

    /// <summary>A data plane that accepts everything and keeps nothing.</summary>
    private sealed class CountingKernel(uint firstSpi) : IIpsecKernel
    {
        private uint _next = firstSpi;
        public uint AllocateSpi() => _next++;
        public void InstallSa(SaSpec sa) { }
        public void RemoveSa(uint spi, SaDirection direction) { }
        public void InstallPolicy(PolicySpec policy) { }
        public void RemovePolicy(uint reqId) { }
        public bool TryGetCounters(uint spi, SaDirection direction, out SaCounters counters) { counters = default; return false; }
        public event Action<AcquireEvent>? Acquire { add { } remove { } }
        public event Action<SequenceExhaustionEvent>? SequenceExhaustion { add { } remove { } }
    }
}

using System.Net;
using Petrel.Ike;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// Carries datagrams between engines in one process. Datagrams queue until Run() delivers them;
/// Lose/Duplicate/Intercept act on the next datagrams that match, and an optional NAT rewrites the
/// source of one host's packets (and the destination of the replies) like a NAPT router.
/// </summary>
internal sealed class InMemoryNetwork
{
    private readonly Dictionary<IPAddress, IkeEngine> _hosts = [];
    private readonly Queue<Datagram> _queue = new();
    private readonly List<(Func<Datagram, bool> Match, Action<Datagram, Queue<Datagram>> Act)> _rules = [];
    private readonly Dictionary<IPEndPoint, IPEndPoint> _natOut = [];
    private readonly Dictionary<IPEndPoint, IPEndPoint> _natIn = [];
    private IPAddress? _natInside, _natPublic;
    private int _natNextPort = 30000;

    public List<Datagram> Delivered { get; } = [];
    public int Dropped { get; private set; }

    public IIkeTransport TransportFor(IPAddress address) => new Endpoint(this, address);

    public void Attach(IPAddress address, IkeEngine engine) => _hosts[address] = engine;

    /// <summary>Puts the host with address inside behind a NAPT whose public address is publicAddress.</summary>
    public void Nat(IPAddress inside, IPAddress publicAddress) { _natInside = inside; _natPublic = publicAddress; }

    /// <summary>Drops the next count datagrams that match.</summary>
    public void Lose(Func<Datagram, bool> match, int count = 1)
    {
        int left = count;
        AddRule(d => left > 0 && match(d), (d, _) => { left--; Dropped++; });
    }

    /// <summary>Delivers the next matching datagram twice.</summary>
    public void Duplicate(Func<Datagram, bool> match)
    {
        bool done = false;
        AddRule(d => !done && match(d), (d, q) => { done = true; Forward(d); Forward(new Datagram(d.Source, d.Destination, (byte[])d.Data.Clone())); });
    }

    /// <summary>Lets a test look at or rewrite every matching datagram before delivery (return false to drop it).</summary>
    public void Intercept(Func<Datagram, bool> match, Func<Datagram, bool> act)
        => AddRule(match, (d, _) => { if (act(d)) Forward(d); else Dropped++; });

    public void ClearRules() => _rules.Clear();

    /// <summary>Injects a datagram as if it came from source.</summary>
    public void Inject(IPEndPoint source, IPEndPoint destination, byte[] data) => _queue.Enqueue(new Datagram(source, destination, data));

    /// <summary>Delivers until nothing is in flight (bounded, so a ping-pong bug cannot hang a test).</summary>
    public int Run(int limit = 1000)
    {
        int n = 0;
        while (_queue.Count > 0 && n++ < limit)
        {
            var d = _queue.Dequeue();
            bool handled = false;
            for (int i = 0; i < _rules.Count; i++)
            {
                if (_rules[i].Match(d)) { _rules[i].Act(d, _queue); handled = true; break; }
            }
            if (!handled) Forward(d);
        }
        return n;
    }

    private void AddRule(Func<Datagram, bool> match, Action<Datagram, Queue<Datagram>> act) => _rules.Add((match, act));

    private void Forward(Datagram d)
    {
        ApplyNat(d);
        if (!_hosts.TryGetValue(d.Destination.Address, out var engine)) { Dropped++; return; }
        Delivered.Add(d);
        engine.Receive(d.Destination, d.Source, d.Data);
    }

    private void ApplyNat(Datagram d)
    {
        if (_natInside is null || _natPublic is null) return;
        if (d.Source.Address.Equals(_natInside))
        {
            if (!_natOut.TryGetValue(d.Source, out var mapped))
            {
                mapped = new IPEndPoint(_natPublic, _natNextPort++);
                _natOut[d.Source] = mapped;
                _natIn[mapped] = d.Source;
            }
            d.Source = mapped;
        }
        else if (_natIn.TryGetValue(d.Destination, out var inside))
        {
            d.Destination = inside;
        }
    }

    private sealed class Endpoint(InMemoryNetwork network, IPAddress address) : IIkeTransport
    {
        public void Send(IPEndPoint local, IPEndPoint remote, ReadOnlyMemory<byte> message)
        {
            // An engine must send from its own address; a wrong source is a bug worth seeing.
            if (!local.Address.Equals(address) && !local.Address.Equals(IPAddress.Any))
                throw new InvalidOperationException($"engine at {address} sent from {local}");
            network._queue.Enqueue(new Datagram(local, remote, message.ToArray()));
        }
    }
}

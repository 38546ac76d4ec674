using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Petrel.Ike;

namespace Petrel.Ike.Tests.Interop;

/// <summary>
/// Real UDP sockets on ports 500 and 4500 of one address, driving an engine on the caller's thread (the
/// engine is single-threaded): datagrams on 4500 carry the four-zero-byte non-ESP marker (RFC 3948 §2.2),
/// which is added on send and stripped on receive; ESP on 4500 (non-zero first word) is ignored here.
/// </summary>
internal sealed class UdpIkeHost : IIkeTransport, IDisposable
{
    private readonly Socket _ike;
    private readonly Socket _natt;
    private readonly byte[] _buffer = new byte[65536];

    public UdpIkeHost(IPAddress address)
    {
        Address = address;
        _ike = Bind(address, 500);
        _natt = Bind(address, 4500);
    }

    public IPAddress Address { get; }
    public IkeEngine? Engine { get; set; }
    public int Sent { get; private set; }
    public int Received { get; private set; }

    private static Socket Bind(IPAddress address, int port)
    {
        var s = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(address, port));
        return s;
    }

    public void Send(IPEndPoint local, IPEndPoint remote, ReadOnlyMemory<byte> message)
    {
        if (local.Port == 4500)
        {
            // A one-byte 0xFF keepalive goes unmarked (RFC 3948 §2.3); IKE gets the non-ESP marker.
            if (message.Length == 1) _natt.SendTo(message.Span, remote);
            else
            {
                var framed = new byte[message.Length + 4];
                message.Span.CopyTo(framed.AsSpan(4));
                _natt.SendTo(framed, remote);
            }
        }
        else
        {
            _ike.SendTo(message.Span, remote);
        }
        Sent++;
    }

    /// <summary>Receives and ticks until condition holds or the timeout passes; returns whether it held.</summary>
    public bool RunUntil(Func<bool> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            Poll();
            if (condition()) return true;
        }
        return condition();
    }

    /// <summary>One round: deliver what arrived (waiting up to 20 ms), then run timers.</summary>
    public void Poll()
    {
        var readable = new List<Socket> { _ike, _natt };
        Socket.Select(readable, null, null, 20_000);
        foreach (var s in readable)
        {
            while (s.Available > 0)
            {
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                int n = s.ReceiveFrom(_buffer, ref from);
                var local = (IPEndPoint)s.LocalEndPoint!;
                var data = _buffer.AsSpan(0, n);
                if (local.Port == 4500)
                {
                    if (n == 1 && data[0] == 0xFF) continue;
                    if (n < 4 || data[0] != 0 || data[1] != 0 || data[2] != 0 || data[3] != 0) continue; // ESP-in-UDP
                    data = data[4..];
                }
                Received++;
                Engine?.Receive(local, (IPEndPoint)from, data);
            }
        }
        Engine?.Tick();
    }

    public void Dispose()
    {
        _ike.Dispose();
        _natt.Dispose();
    }
}

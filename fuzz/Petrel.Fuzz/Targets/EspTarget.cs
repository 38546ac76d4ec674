using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.Ike.Wire;

namespace Petrel.Fuzz.Targets;

/// <summary>
/// The data plane's inbound side. The first byte picks the path:
/// 0: a datagram on UDP 4500 (keepalive, non-ESP marker + IKE, or ESP-in-UDP into the userspace kernel);
/// 1: the decrypted payload of an ESP packet (inner packet, padding, pad length, next header), sealed with the
///    inbound SA's fixed AES-GCM key so the kernel's checks after the ICV are reached;
/// 2: an AH packet (an IPv4 header with AH) into the AH input.
/// </summary>
public sealed class EspTarget : IFuzzTarget
{
    private const uint EspSpi = 0xb0b0b001, AhSpi = 0xb0b0a001;
    private static readonly byte[] GcmKey = Enumerable.Range(0x10, 20).Select(x => (byte)x).ToArray();
    private static readonly byte[] AhKey = Enumerable.Range(0x40, 32).Select(x => (byte)x).ToArray();

    private readonly UserspaceKernel _kernel = new(new NullTransport(), new NullTunnel());
    private readonly AesGcm _gcm = new(GcmKey.AsSpan(0, 16), 16);
    private uint _sequence;

    public EspTarget()
    {
        var peer = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 4500);
        var me = new IPEndPoint(IPAddress.Parse("198.18.0.2"), 4500);
        _kernel.InstallSa(new SaSpec
        {
            Spi = EspSpi, Direction = SaDirection.Inbound, Source = peer, Destination = me, UdpEncapsulation = true,
            Encryption = AlgorithmCatalog.FindKeyword("aes128gcm16")!.Transform, EncryptionKey = (byte[])GcmKey.Clone(),
            ReplayWindow = 128, ReqId = 1,
        });
        _kernel.InstallSa(new SaSpec
        {
            Spi = AhSpi, Direction = SaDirection.Inbound, Source = peer, Destination = me, Protocol = IpsecProtocol.Ah,
            Encryption = AlgorithmCatalog.FindKeyword("aes128gcm16")!.Transform, EncryptionKey = [],
            Integrity = AlgorithmCatalog.FindKeyword("sha256")!.Transform, IntegrityKey = (byte[])AhKey.Clone(),
            ReplayWindow = 128, ReqId = 2,
        });
        _kernel.InstallPolicy(new PolicySpec
        {
            ReqId = 1,
            LocalTs = [TrafficSelector.Parse("10.2.0.0/24"), TrafficSelector.Parse("2001:db8:2::/64")],
            RemoteTs = [TrafficSelector.Parse("10.1.0.0/24"), TrafficSelector.Parse("2001:db8:1::/64")],
            LocalAddress = me.Address,
            RemoteAddress = peer.Address,
        });
    }

    public string Name => "esp";

    public void Run(ReadOnlySpan<byte> data)
    {
        if (data.Length < 1)
            return;
        var body = data[1..];
        switch (data[0] % 3)
        {
            case 0:
                Udp(body);
                break;
            case 1:
                var esp = Seal(body);
                _kernel.ProcessInbound(esp);
                break;
            default:
                var buffer = new byte[body.Length + 4]; // room for the ESN high bits, as the raw socket reader leaves
                body.CopyTo(buffer);
                _kernel.ProcessInboundAh(buffer, 0, body.Length);
                break;
        }
    }

    private void Udp(ReadOnlySpan<byte> datagram)
    {
        switch (UdpEncapsulation.Classify(datagram))
        {
            case UdpDatagramKind.Esp:
                _kernel.ProcessInbound(datagram.ToArray());
                break;
            case UdpDatagramKind.Ike:
                _ = IkeMessage.TryDecode(datagram[UdpEncapsulation.NonEspMarkerLength..], null, out _, out _);
                break;
        }
    }

    /// <summary>RFC 4106: SPI, sequence, 8-byte IV, ciphertext, 16-byte tag; nonce = salt ‖ IV; AAD = SPI ‖ sequence.</summary>
    private byte[] Seal(ReadOnlySpan<byte> plaintext)
    {
        var esp = new byte[8 + 8 + plaintext.Length + 16];
        BinaryPrimitives.WriteUInt32BigEndian(esp, EspSpi);
        BinaryPrimitives.WriteUInt32BigEndian(esp.AsSpan(4), ++_sequence == 0 ? ++_sequence : _sequence);
        BinaryPrimitives.WriteUInt64BigEndian(esp.AsSpan(8), _sequence);
        Span<byte> nonce = stackalloc byte[12];
        GcmKey.AsSpan(16, 4).CopyTo(nonce);
        esp.AsSpan(8, 8).CopyTo(nonce[4..]);
        _gcm.Encrypt(nonce, plaintext, esp.AsSpan(16, plaintext.Length), esp.AsSpan(16 + plaintext.Length, 16), esp.AsSpan(0, 8));
        return esp;
    }

    private sealed class NullTransport : IOuterTransport
    {
        public bool SendEsp(EspPeer peer, ReadOnlySpan<byte> espPacket) => true;
    }

    private sealed class NullTunnel : ITunnelDevice
    {
        public bool WritePacket(ReadOnlySpan<byte> packet) => true;
    }
}

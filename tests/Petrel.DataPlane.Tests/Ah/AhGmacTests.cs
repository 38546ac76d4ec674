using System.Buffers.Binary;
using System.Net;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.DataPlane.Tests.Packets;
using Petrel.DataPlane.Tests.Pipeline;

namespace Petrel.DataPlane.Tests.Ah;

/// <summary>
/// AH with AES-GMAC (RFC 4543 §4) through the kernel and Petrel.Crypto's catalogue: the Authentication
/// Data field is the 8-byte IV followed by the 16-byte tag, and the tag is checked against GMAC computed
/// here with BouncyCastle's GcmBlockCipher (empty plaintext, nonce salt || IV, AAD the packet as RFC 4302
/// §3.3.3 authenticates it: mutable IP fields and the whole Authentication Data field zeroed).
/// </summary>
public sealed class AhGmacTests
{
    private static readonly IPEndPoint OuterA = new(IPAddress.Parse("198.18.0.1"), 0);
    private static readonly IPEndPoint OuterB = new(IPAddress.Parse("198.18.0.2"), 0);

    private static SaSpec Sa(string keyword, byte[] keymat, SaDirection direction) => new()
    {
        Spi = 0x0a0a0a02, Direction = direction, Protocol = IpsecProtocol.Ah, Source = OuterA, Destination = OuterB,
        Encryption = new Transform(TransformType.Encryption, 0), EncryptionKey = [],
        Integrity = AlgorithmCatalog.FindKeyword(keyword)!.Transform, IntegrityKey = (byte[])keymat.Clone(), ReplayWindow = 32, ReqId = 1,
    };

    private static PolicySpec Policy(string local, string remote) => new()
    {
        ReqId = 1, LocalTs = [TrafficSelector.Parse(local)], RemoteTs = [TrafficSelector.Parse(remote)],
        LocalAddress = OuterA.Address, RemoteAddress = OuterB.Address,
    };

    private static byte[] BouncyCastleGmac(byte[] key, byte[] salt, ReadOnlySpan<byte> iv, byte[] aad)
    {
        var gcm = new GcmBlockCipher(new AesEngine());
        gcm.Init(true, new AeadParameters(new KeyParameter(key), 128, [.. salt, .. iv]));
        gcm.ProcessAadBytes(aad, 0, aad.Length);
        var tag = new byte[16];
        Assert.Equal(16, gcm.DoFinal(tag, 0));
        return tag;
    }

    [Theory]
    [InlineData("aes128gmac", 16)]
    [InlineData("aes192gmac", 24)]
    [InlineData("aes256gmac", 32)]
    public void Ipv4_tunnel_packet_carries_iv_and_independent_gmac_tag_and_opens(string keyword, int keyBytes)
    {
        var keymat = Enumerable.Range(0x20, keyBytes + 4).Select(i => (byte)i).ToArray();
        var outerA = new CapturingTransport();
        var tunB = new CapturingTunnel();
        using var a = new UserspaceKernel(outerA, new CapturingTunnel(), algorithms: CatalogEspAlgorithmProvider.Instance);
        using var b = new UserspaceKernel(new CapturingTransport(), tunB, algorithms: CatalogEspAlgorithmProvider.Instance);
        a.InstallSa(Sa(keyword, keymat, SaDirection.Outbound));
        b.InstallSa(Sa(keyword, keymat, SaDirection.Inbound));
        a.InstallPolicy(Policy("10.1.0.0/24", "10.2.0.0/24"));
        b.InstallPolicy(Policy("10.2.0.0/24", "10.1.0.0/24"));

        var inner = TestPackets.Ipv4Icmp("10.1.0.5", "10.2.0.7");
        Assert.Equal(DropReason.None, KernelPair.Send(a, inner));
        Assert.Equal(DropReason.None, KernelPair.Send(a, inner));
        var wire = outerA.SentIp[1];

        // AH = 12 fixed bytes + 24 bytes of Authentication Data: Payload Len (36 / 4) - 2 = 7.
        Assert.Equal(20 + 36 + inner.Length, wire.Length);
        Assert.Equal(51, wire[9]);
        Assert.Equal(4, wire[20]);
        Assert.Equal(7, wire[21]);
        Assert.Equal(0x0a0a0a02u, BinaryPrimitives.ReadUInt32BigEndian(wire.AsSpan(24)));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(wire.AsSpan(28)));
        var iv = wire[32..40];
        Assert.Equal(2ul, BinaryPrimitives.ReadUInt64BigEndian(iv)); // the sequence number: never repeats under one key
        Assert.Equal(inner, wire[56..]);

        var aad = (byte[])wire.Clone();
        aad[1] = 0; aad[6] = 0; aad[7] = 0; aad[8] = 0; aad[10] = 0; aad[11] = 0;
        Array.Clear(aad, 32, 24);
        var expected = BouncyCastleGmac(keymat[..keyBytes], keymat[keyBytes..], iv, aad);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(wire, 40, 16));

        Assert.Equal(DropReason.None, Deliver(b, wire));
        Assert.Equal(inner, Assert.Single(tunB.Written));

        // The IV is part of the nonce, the tag covers the packet: changing either, or the payload, fails.
        var first = outerA.SentIp[0];
        foreach (int at in new[] { 35, 50, first.Length - 1 })
        {
            var tampered = (byte[])first.Clone();
            tampered[at] ^= 0x10;
            Assert.Equal(DropReason.IntegrityFailure, Deliver(b, tampered));
        }
        Assert.Equal(DropReason.None, Deliver(b, first));
        Assert.Equal(2, tunB.Written.Count);
    }

    private static DropReason Deliver(UserspaceKernel kernel, byte[] packet)
    {
        var buffer = new byte[packet.Length + 4];
        packet.CopyTo(buffer, 0);
        return kernel.ProcessInboundAh(buffer, 0, packet.Length);
    }
}

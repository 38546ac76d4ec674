using System.Buffers.Binary;
using System.Text;
using Petrel.Ike.Eap;

namespace Petrel.Fuzz.Targets;

/// <summary>
/// EAP conversations driven by the peer across from us. The first byte picks the role: even, we are the server
/// (EAP-Identity, then MSCHAPv2 or MD5 after a Nak) and the input holds the client's Responses; odd, we are the
/// client (MD5, MSCHAPv2) and it holds the server's Requests; bit 1 also feeds each packet's Type-Data to the
/// EAP-TLS reassembler. Each packet is a 2-byte length and then the EAP packet.
/// </summary>
public sealed class EapTarget : IFuzzTarget
{
    private static readonly EapSecret Secret = EapSecret.FromPassword(Encoding.UTF8.GetBytes("fuzz-password"));

    public string Name => "eap";

    public void Run(ReadOnlySpan<byte> data)
    {
        if (data.Length < 1)
            return;
        bool server = (data[0] & 1) == 0, tls = (data[0] & 2) != 0;
        data = data[1..];
        var serverSession = server ? Server() : null;
        var peerSession = server ? null : Peer();
        var framing = new EapTlsFraming(1000);
        serverSession?.Start();
        while (data.Length >= 2)
        {
            int length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(data), data.Length - 2);
            var bytes = data.Slice(2, length);
            data = data[(2 + length)..];
            if (!EapPacket.TryDecode(bytes, out var packet, out _) || packet is null)
                continue;
            _ = packet.ToString();
            if (tls)
                _ = framing.Receive(packet.Data, out _);
            if (serverSession is not null)
            {
                var step = serverSession.Process(packet);
                if (step.Kind is EapServerStepKind.Success or EapServerStepKind.Failure)
                    return;
            }
            else if (peerSession!.Process(packet).Response is null)
            {
                return;
            }
        }
    }

    private static void Random(Span<byte> destination)
    {
        for (int i = 0; i < destination.Length; i++)
            destination[i] = (byte)(i * 7 + 3);
    }

    private static EapServerSession Server() =>
        new("peer@petrel", askIdentity: true, firstIdentifier: 1, [EapType.MsChapV2, EapType.Md5Challenge], (user, id, type) =>
        {
            var context = new EapServerContext
            {
                PeerIdentity = user, ServerIdentity = "gw.petrel", FirstIdentifier = id, Random = Random,
                FindSecret = _ => Secret,
            };
            return type switch
            {
                EapType.MsChapV2 => new EapMsChapV2Server(context),
                EapType.Md5Challenge => new EapMd5Server(context),
                _ => null,
            };
        });

    private static EapPeerSession Peer()
    {
        var context = new EapPeerContext { Identity = "peer@petrel", ServerIdentity = "gw.petrel", Random = Random, Secret = Secret };
        return new EapPeerSession("peer@petrel", null, type => type switch
        {
            EapType.MsChapV2 => new EapMsChapV2Peer(context),
            EapType.Md5Challenge => new EapMd5Peer(context),
            _ => null,
        });
    }
}

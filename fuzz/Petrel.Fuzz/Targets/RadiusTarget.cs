using System.Text;
using Petrel.Ike.Radius;

namespace Petrel.Fuzz.Targets;

/// <summary>
/// A datagram from a RADIUS server: the Response Authenticator and Message-Authenticator check, attribute
/// decoding, the joined EAP-Message, and the MS-MPPE key attributes decrypted with a fixed shared secret.
/// </summary>
public sealed class RadiusTarget : IFuzzTarget
{
    private static readonly byte[] Secret = Encoding.ASCII.GetBytes("fuzz-secret");
    private static readonly byte[] RequestAuthenticator = Enumerable.Range(1, 16).Select(x => (byte)x).ToArray();

    public string Name => "radius";

    public void Run(ReadOnlySpan<byte> data)
    {
        _ = RadiusSigner.VerifyResponse(data, RequestAuthenticator, Secret, out _);
        if (!RadiusPacket.TryDecode(data, out var packet, out _) || packet is null)
            return;
        if (packet.EapMessage() is { } eap)
            _ = Petrel.Ike.Eap.EapPacket.TryDecode(eap, out _, out _);
        foreach (byte type in new byte[] { 16, 17 }) // MS-MPPE-Send-Key, MS-MPPE-Recv-Key (RFC 2548)
            if (packet.FindVendor(311, type) is { } value)
                _ = MppeKey.TryDecrypt(value, Secret, RequestAuthenticator, out _);
        foreach (var attribute in packet.Attributes)
            _ = attribute.ToString();
    }
}

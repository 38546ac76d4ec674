using System.Net;
using System.Net.Sockets;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.Fragmentation;

/// <summary>
/// Splits an encoded ISAKMP message into fragment messages as strongSwan does (message.c): each fragment is an
/// unencrypted message with the same cookies, message ID 0, exchange type Main Mode (Aggressive Mode on an Aggressive
/// SA) whatever the fragmented message's exchange, and one fragment payload with fragment ID 1. The size limit is the
/// whole IP datagram (fragment_size), less the IP and UDP headers and the non-ESP marker away from port 500.
/// </summary>
internal static class V1Fragmenter
{
    /// <summary>strongSwan numbers every fragmented message 1 (the number is a single octet, so at most 255 fragments).</summary>
    public const ushort FragmentId = 1;
    public const int MaxFragments = 255;

    /// <summary>The largest ISAKMP message that fits one datagram of <paramref name="fragmentSize"/> octets.</summary>
    public static int MaxMessage(int fragmentSize, IPEndPoint local, IPEndPoint remote, int ikePort) =>
        fragmentSize - (remote.AddressFamily == AddressFamily.InterNetworkV6 ? 40 : 20) - 8
        - (remote.Port == ikePort || local.Port == ikePort ? 0 : 4);

    /// <summary>The fragment datagrams for <paramref name="message"/>, or null when it fits <paramref name="maxMessage"/> (or would need more than 255 fragments).</summary>
    public static List<byte[]>? Split(byte[] message, ulong initiatorCookie, ulong responderCookie, bool aggressive, int maxMessage)
    {
        if (message.Length <= maxMessage) return null;
        int piece = Math.Max(1, maxMessage - IsakmpMessage.HeaderLength - 4 - FragmentPayload.HeaderLength);
        int count = (message.Length + piece - 1) / piece;
        if (count > MaxFragments) return null;
        var fragments = new List<byte[]>(count);
        for (int n = 1; n <= count; n++)
        {
            int offset = (n - 1) * piece;
            var data = message.AsSpan(offset, Math.Min(piece, message.Length - offset)).ToArray();
            var f = new IsakmpMessage
            {
                InitiatorCookie = initiatorCookie, ResponderCookie = responderCookie, MessageId = 0,
                Exchange = aggressive ? IsakmpExchange.Aggressive : IsakmpExchange.IdentityProtection,
            };
            f.Add(IsakmpPayloadType.Fragment, new FragmentPayload(FragmentId, (byte)n, n == count, data).Encode());
            fragments.Add(f.Encode());
        }
        return fragments;
    }
}

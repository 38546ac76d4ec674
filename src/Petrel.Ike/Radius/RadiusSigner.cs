using System.Security.Cryptography;

namespace Petrel.Ike.Radius;

/// <summary>
/// The authenticators that bind a RADIUS packet to the shared secret:
/// Response Authenticator (RFC 2865 §3), Accounting-Request Authenticator (RFC 2866 §3) and
/// Message-Authenticator (RFC 3579 §3.2, HMAC-MD5 over the packet with its own value zeroed).
/// </summary>
public static class RadiusSigner
{
    /// <summary>
    /// Finishes an Access-Request: a Message-Authenticator (required with EAP-Message, RFC 3579 §3.2) over
    /// the packet with its random Request Authenticator. Returns the bytes to send.
    /// </summary>
    public static byte[] SignAccessRequest(RadiusPacket request, ReadOnlySpan<byte> secret)
    {
        request.Attributes.RemoveAll(a => a.Type == RadiusAttributeType.MessageAuthenticator);
        request.Attributes.Add(new RadiusAttribute(RadiusAttributeType.MessageAuthenticator, new byte[16]));
        var bytes = request.Encode();
        WriteMessageAuthenticator(bytes, secret);
        return bytes;
    }

    /// <summary>
    /// Finishes an Accounting-Request: the Request Authenticator is MD5(Code + Identifier + Length + 16 zero
    /// octets + Attributes + Secret) (RFC 2866 §3). Returns the bytes to send.
    /// </summary>
    public static byte[] SignAccountingRequest(RadiusPacket request, ReadOnlySpan<byte> secret)
    {
        request.Authenticator = new byte[16];
        var bytes = request.Encode();
        var digest = Md5(bytes, secret);
        digest.CopyTo(bytes.AsSpan(4));
        request.Authenticator = digest;
        return bytes;
    }

    /// <summary>
    /// Checks a response to a request whose Request Authenticator was <paramref name="requestAuthenticator"/>:
    /// the Response Authenticator MD5(Code + ID + Length + RequestAuth + Attributes + Secret) and, when present
    /// (it must be with EAP-Message, RFC 3579 §3.2), the Message-Authenticator. False, with the reason, otherwise.
    /// </summary>
    public static bool VerifyResponse(ReadOnlySpan<byte> response, ReadOnlySpan<byte> requestAuthenticator, ReadOnlySpan<byte> secret, out string error)
    {
        // Callers decode first, but a short or overstated datagram must not throw here either (found by fuzzing, issue 12).
        int length = response.Length >= RadiusPacket.HeaderLength ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(response[2..]) : 0;
        if (length < RadiusPacket.HeaderLength || length > response.Length)
        {
            error = $"RADIUS response of {response.Length} octets says it has {length}";
            return false;
        }
        var copy = response[..length].ToArray();
        var received = copy.AsSpan(4, 16).ToArray();
        requestAuthenticator.CopyTo(copy.AsSpan(4));
        if (!CryptographicOperations.FixedTimeEquals(Md5(copy, secret), received))
        {
            error = "Response Authenticator does not match (wrong shared secret?)";
            return false;
        }
        int at = FindMessageAuthenticator(copy);
        if (at >= 0)
        {
            var mac = copy.AsSpan(at, 16).ToArray();
            copy.AsSpan(at, 16).Clear();
            if (!CryptographicOperations.FixedTimeEquals(HMACMD5.HashData(secret, copy), mac))
            {
                error = "Message-Authenticator does not match";
                return false;
            }
        }
        else if (HasAttribute(copy, RadiusAttributeType.EapMessage))
        {
            error = "EAP-Message without Message-Authenticator (RFC 3579 §3.2)";
            return false;
        }
        error = "";
        return true;
    }

    /// <summary>The Accounting-Response check: MD5 over the response with the request's authenticator in its place.</summary>
    public static bool VerifyAccountingResponse(ReadOnlySpan<byte> response, ReadOnlySpan<byte> requestAuthenticator, ReadOnlySpan<byte> secret, out string error) =>
        VerifyResponse(response, requestAuthenticator, secret, out error);

    /// <summary>Writes the Message-Authenticator value of an encoded packet (its 16 octets zero on entry).</summary>
    internal static void WriteMessageAuthenticator(byte[] packet, ReadOnlySpan<byte> secret)
    {
        int at = FindMessageAuthenticator(packet);
        if (at < 0) return;
        packet.AsSpan(at, 16).Clear();
        HMACMD5.HashData(secret, packet).CopyTo(packet.AsSpan(at));
    }

    private static byte[] Md5(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> secret)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        md5.AppendData(packet);
        md5.AppendData(secret);
        return md5.GetHashAndReset();
    }

    /// <summary>The offset of the Message-Authenticator's 16-octet value, or -1.</summary>
    private static int FindMessageAuthenticator(ReadOnlySpan<byte> packet)
    {
        int at = RadiusPacket.HeaderLength;
        while (at + 2 <= packet.Length)
        {
            int length = packet[at + 1];
            if (length < 2 || at + length > packet.Length) return -1;
            if (packet[at] == RadiusAttributeType.MessageAuthenticator && length == 18) return at + 2;
            at += length;
        }
        return -1;
    }

    private static bool HasAttribute(ReadOnlySpan<byte> packet, byte type)
    {
        int at = RadiusPacket.HeaderLength;
        while (at + 2 <= packet.Length)
        {
            int length = packet[at + 1];
            if (length < 2) return false;
            if (packet[at] == type) return true;
            at += length;
        }
        return false;
    }
}

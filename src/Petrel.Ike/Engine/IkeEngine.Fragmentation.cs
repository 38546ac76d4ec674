using System.Net;
using Petrel.Ike.Config;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Engine;

/// <summary>
/// RFC 7383 IKE message fragmentation: announced in IKE_SA_INIT (IKEV2_FRAGMENTATION_SUPPORTED) unless
/// <c>fragmentation = no</c>; once both sides did, protected messages larger than <see cref="IkeEngineOptions.FragmentSize"/>
/// go out as SKF fragments (not with <c>fragmentation = accept</c>, which only receives them), and received fragments
/// are checked one by one and reassembled per direction before the message is handled.
/// </summary>
public sealed partial class IkeEngine
{
    /// <summary>Whether we send IKEV2_FRAGMENTATION_SUPPORTED for a connection (strongSwan: yes, accept, force).</summary>
    internal static bool AnnouncesFragmentation(ConnectionConfig c) => !c.Fragmentation.Equals("no", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether we fragment our own messages (strongSwan: yes and force; accept only receives fragments).</summary>
    private static bool FragmentsOwnMessages(ConnectionConfig c) =>
        c.Fragmentation.Equals("yes", StringComparison.OrdinalIgnoreCase) || c.Fragmentation.Equals("force", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The largest IKE message (and so fragment) we send: fragment_size is the whole IP datagram (strongSwan's
    /// charon.fragment_size), less the IP and UDP headers and the non-ESP marker on the NAT-T port.
    /// </summary>
    private int MaxIkeMessage(IkeSa sa) =>
        Options.FragmentSize - (sa.Remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 40 : 20) - 8
        - (sa.Remote.Port == Options.IkePort ? 0 : 4);

    /// <summary>Encodes a protected message: one datagram, or its RFC 7383 fragments when it is too large and fragmentation was agreed.</summary>
    internal IReadOnlyList<byte[]> EncodeProtected(IkeSa sa, IkeMessage m)
    {
        var cipher = sa.CipherOut!;
        int length = m.ProtectedLength(cipher);
        int limit = MaxIkeMessage(sa);
        if (!sa.FragmentationAgreed || !FragmentsOwnMessages(sa.Config) || length <= limit)
            return [m.Encode(cipher)];
        var fragments = m.EncodeFragments(cipher, limit);
        Log.Debug(sa, $"{MessageSummary.ExchangeName(m.ExchangeType)} {(m.IsResponse ? "response" : "request")} {m.MessageId} ({length} bytes) split into {fragments.Count} fragments of at most {limit} bytes");
        return fragments;
    }

    /// <summary>Sends one datagram, or all fragments of a fragmented message.</summary>
    internal void SendAll(IPEndPoint local, IPEndPoint remote, byte[] first, IReadOnlyList<byte[]>? fragments)
    {
        if (fragments is null)
        {
            SendRaw(local, remote, first);
            return;
        }
        foreach (var fragment in fragments)
            SendRaw(local, remote, fragment);
    }

    /// <summary>
    /// Takes one authenticated SKF fragment. Returns the reassembled message when this was the last missing
    /// fragment; otherwise null (stored, ignored, or a retransmitted request answered), with invalidSyntax set
    /// when the joined payloads do not parse.
    /// </summary>
    private IkeMessage? Reassemble(IkeSa sa, IkeMessage fragment, IPEndPoint remote, out bool invalidSyntax)
    {
        invalidSyntax = false;
        var skf = (EncryptedFragmentPayload)fragment.Payloads[^1];
        string what = $"{MessageSummary.ExchangeName(fragment.ExchangeType)} {(fragment.IsResponse ? "response" : "request")} {fragment.MessageId} fragment {skf.FragmentNumber}/{skf.TotalFragments}";
        if (!sa.FragmentationAgreed)
        {
            Log.Drop(sa, remote, $"{what}, but IKE fragmentation was not negotiated");
            return null;
        }
        if (fragment.IsResponse)
        {
            if (sa.Outstanding is not { } pending || pending.MessageId != fragment.MessageId)
            {
                Log.Drop(sa, remote, $"{what} does not answer our outstanding request");
                return null;
            }
        }
        else if (sa.LastResponse is not null && fragment.MessageId == sa.LastResponseId && fragment.MessageId + 1 == sa.ExpectedRequestId)
        {
            // §2.6.1: only fragment 1 of a retransmitted request makes us resend the response, not each of its fragments.
            if (skf.FragmentNumber == 1)
            {
                Log.Debug(sa, $"retransmitted {MessageSummary.ExchangeName(fragment.ExchangeType)} request {fragment.MessageId} (fragmented), sending the cached response");
                SendAll(sa.Local, sa.Remote, sa.LastResponse, sa.LastResponseFragments);
            }
            return null;
        }
        else if (fragment.MessageId != sa.ExpectedRequestId)
        {
            Log.Drop(sa, remote, $"{what}, expected message ID {sa.ExpectedRequestId}");
            return null;
        }

        var reassembly = sa.Reassembly(fragment.IsResponse, Options.MaxPacket);
        switch (reassembly.Add(fragment, out var complete, out string error))
        {
            case FragmentAddResult.Complete:
                Log.Debug(sa, $"{MessageSummary.ExchangeName(fragment.ExchangeType)} {(fragment.IsResponse ? "response" : "request")} {fragment.MessageId} reassembled from {skf.TotalFragments} fragments");
                return complete;
            case FragmentAddResult.Incomplete:
                return null;
            case FragmentAddResult.InvalidSyntax:
                invalidSyntax = true;
                Log.Warn(sa, $"{what}: the reassembled message does not parse ({error})");
                return null;
            default:
                Log.Debug(sa, $"{what} ignored: {error}");
                return null;
        }
    }
}

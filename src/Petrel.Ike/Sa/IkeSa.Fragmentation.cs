using Petrel.Ike.Wire;

namespace Petrel.Ike.Sa;

/// <summary>RFC 7383 IKE message fragmentation state of one IKE SA.</summary>
internal sealed partial class IkeSa
{
    /// <summary>Both sides sent IKEV2_FRAGMENTATION_SUPPORTED in IKE_SA_INIT (§2.3); inherited by a rekeyed IKE SA.</summary>
    public bool FragmentationAgreed { get; set; }

    private IkeFragmentReassembler? _requestReassembly, _responseReassembly;

    /// <summary>
    /// Fragments of the peer's current request or of the response to our outstanding request (§2.6.2), made on the
    /// first fragment (most SAs never see one) and holding at most <paramref name="maxBytes"/> (max_packet).
    /// </summary>
    public IkeFragmentReassembler Reassembly(bool response, int maxBytes) => response
        ? _responseReassembly ??= new IkeFragmentReassembler(maxBytes: maxBytes)
        : _requestReassembly ??= new IkeFragmentReassembler(maxBytes: maxBytes);

    /// <summary>The fragments of <see cref="LastResponse"/> (its first one) when the response was fragmented, resent together.</summary>
    public IReadOnlyList<byte[]>? LastResponseFragments { get; private set; }
}

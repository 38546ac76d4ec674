using System.Buffers.Binary;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;

namespace Petrel.Ike.Wire;

//  RFC 7296 §3.3 Security Association Payload
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C|  RESERVED   |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                          <Proposals>                          ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//  §3.3.1 Proposal Substructure
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Last Substruc |   RESERVED    |         Proposal Length       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                        SPI (variable)                         ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                        <Transforms>                           ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//  §3.3.2 Transform Substructure
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Last Substruc |   RESERVED    |        Transform Length       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |Transform Type |   RESERVED    |          Transform ID         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                      Transform Attributes                     ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//  §3.3.5 Transform Attributes
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |A|       Attribute Type        |    AF=0  Attribute Length     |
//  |F|                             |    AF=1  Attribute Value      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                   AF=0  Attribute Value                       |
//  |                   AF=1  Not Transmitted                       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>
/// SA (RFC 7296 §3.3): the proposals, mapped to <see cref="Proposal"/>/<see cref="Transform"/>.
/// The only transform attribute IKEv2 defines is Key Length (type 14, TV format, §3.3.5).
/// A proposal with any other attribute is left out of <see cref="Proposals"/> (§3.3.6: such a proposal
/// must be rejected) and counted in <see cref="RejectedProposals"/>.
/// </summary>
public sealed class SecurityAssociationPayload : IkePayload
{
    private const byte LastSubstructure = 0, MoreProposals = 2, MoreTransforms = 3;
    private const ushort KeyLengthAttribute = 14;
    private const int ProposalHeaderSize = 8, TransformHeaderSize = 8, KeyLengthAttributeSize = 4;

    public SecurityAssociationPayload(IReadOnlyList<Proposal> proposals)
    {
        Proposals = proposals;
    }

    public override PayloadType Type => PayloadType.SecurityAssociation;
    public IReadOnlyList<Proposal> Proposals { get; }

    /// <summary>Proposals received with attributes Petrel does not understand (and so cannot select).</summary>
    public int RejectedProposals { get; private init; }

    public override int BodyLength
    {
        get
        {
            int length = 0;
            foreach (var p in Proposals)
                length += ProposalLength(p);
            return length;
        }
    }

    private static int ProposalLength(Proposal p)
    {
        int length = ProposalHeaderSize + p.Spi.Length;
        foreach (var t in p.Transforms)
            length += TransformHeaderSize + (t.KeyLengthBits != 0 ? KeyLengthAttributeSize : 0);
        return length;
    }

    public override void WriteBody(Span<byte> destination)
    {
        var w = new IkeWriter(destination);
        for (int i = 0; i < Proposals.Count; i++)
        {
            var p = Proposals[i];
            w.WriteUInt8(i == Proposals.Count - 1 ? LastSubstructure : MoreProposals);
            w.WriteUInt8(0);
            w.WriteUInt16((ushort)ProposalLength(p));
            // §3.3.1: the first proposal is numbered 1, each next one one higher.
            w.WriteUInt8(p.Number != 0 ? p.Number : (byte)(i + 1));
            w.WriteUInt8((byte)p.Protocol);
            w.WriteUInt8((byte)p.Spi.Length);
            w.WriteUInt8((byte)p.Transforms.Count);
            w.WriteBytes(p.Spi.Span);
            for (int j = 0; j < p.Transforms.Count; j++)
            {
                var t = p.Transforms[j];
                w.WriteUInt8(j == p.Transforms.Count - 1 ? LastSubstructure : MoreTransforms);
                w.WriteUInt8(0);
                w.WriteUInt16((ushort)(TransformHeaderSize + (t.KeyLengthBits != 0 ? KeyLengthAttributeSize : 0)));
                w.WriteUInt8((byte)t.Type);
                w.WriteUInt8(0);
                w.WriteUInt16(t.Id);
                if (t.KeyLengthBits != 0)
                {
                    w.WriteUInt16(0x8000 | KeyLengthAttribute);
                    w.WriteUInt16(t.KeyLengthBits);
                }
            }
        }
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, out SecurityAssociationPayload? payload, out string error)
    {
        payload = null;
        var proposals = new List<Proposal>();
        int rejected = 0;
        var r = new IkeReader(body);
        if (r.End) { error = "SA payload has no proposals"; return false; }
        bool last = false;
        while (!r.End)
        {
            if (last) { error = "SA payload has data after the last proposal"; return false; }
            if (!r.TryReadUInt8(out byte more) || !r.TrySkip(1) || !r.TryReadUInt16(out ushort length))
            {
                error = "proposal header truncated"; return false;
            }
            if (more != LastSubstructure && more != MoreProposals) { error = $"proposal 'Last Substruc' is {more}, expected 0 or 2"; return false; }
            last = more == LastSubstructure;
            if (length < ProposalHeaderSize || !r.TryReadBytes(length - 4, out var proposalBody))
            {
                error = $"proposal length {length} is invalid for the {r.Remaining + 4} bytes left"; return false;
            }
            if (!TryDecodeProposal(proposalBody, out var proposal, out bool understood, out error)) return false;
            if (understood) proposals.Add(proposal!);
            else rejected++;
        }
        if (!last) { error = "SA payload ended without a last proposal"; return false; }
        payload = new SecurityAssociationPayload(proposals) { RejectedProposals = rejected };
        error = "";
        return true;
    }

    private static bool TryDecodeProposal(ReadOnlySpan<byte> body, out Proposal? proposal, out bool understood, out string error)
    {
        proposal = null;
        understood = true;
        var r = new IkeReader(body);
        r.TryReadUInt8(out byte number);
        r.TryReadUInt8(out byte protocol);
        r.TryReadUInt8(out byte spiSize);
        r.TryReadUInt8(out byte count);
        if (!r.TryReadBytes(spiSize, out var spi)) { error = $"proposal {number}: SPI size {spiSize} exceeds the proposal"; return false; }
        var transforms = new List<Transform>(count);
        bool lastTransform = count == 0;
        for (int i = 0; i < count; i++)
        {
            if (!r.TryReadUInt8(out byte more) || !r.TrySkip(1) || !r.TryReadUInt16(out ushort length))
            {
                error = $"proposal {number}: transform {i + 1} of {count} truncated"; return false;
            }
            if (more != LastSubstructure && more != MoreTransforms) { error = $"proposal {number}: transform 'Last Substruc' is {more}, expected 0 or 3"; return false; }
            if ((more == LastSubstructure) != (i == count - 1)) { error = $"proposal {number}: 'Last Substruc' disagrees with Num Transforms {count}"; return false; }
            if (length < TransformHeaderSize || !r.TryReadBytes(length - 4, out var tbody))
            {
                error = $"proposal {number}: transform length {length} is invalid"; return false;
            }
            var tr = new IkeReader(tbody);
            tr.TryReadUInt8(out byte type);
            tr.TrySkip(1);
            tr.TryReadUInt16(out ushort id);
            ushort keyLength = 0;
            while (!tr.End)
            {
                if (!tr.TryReadUInt16(out ushort attrType) || !tr.TryReadUInt16(out ushort attrValue))
                {
                    error = $"proposal {number}: transform attribute truncated"; return false;
                }
                bool tv = (attrType & 0x8000) != 0;
                if (!tv && !tr.TrySkip(attrValue)) { error = $"proposal {number}: attribute length {attrValue} exceeds the transform"; return false; }
                if (tv && (attrType & 0x7fff) == KeyLengthAttribute) keyLength = attrValue;
                else understood = false;
            }
            transforms.Add(new Transform((TransformType)type, id, keyLength));
        }
        if (!r.End) { error = $"proposal {number}: {r.Remaining} bytes after the last transform"; return false; }
        proposal = new Proposal((SecurityProtocol)protocol, transforms) { Number = number, Spi = spi.ToArray() };
        error = "";
        return true;
    }

    /// <summary>Reads an SPI of 4 or 8 bytes as an integer (ESP/AH or IKE rekey).</summary>
    public static ulong SpiToUInt64(ReadOnlySpan<byte> spi) => spi.Length switch
    {
        4 => BinaryPrimitives.ReadUInt32BigEndian(spi),
        8 => BinaryPrimitives.ReadUInt64BigEndian(spi),
        _ => 0,
    };
}

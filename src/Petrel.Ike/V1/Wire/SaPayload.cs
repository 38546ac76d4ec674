using Petrel.Ike.Wire;

namespace Petrel.Ike.V1.Wire;

/// <summary>One transform of an ISAKMP proposal (RFC 2408 §3.6): number, transform id and attributes.</summary>
public sealed record V1Transform(byte Number, byte Id, IReadOnlyList<SaAttribute> Attributes)
{
    public SaAttribute? Attribute(ushort type) => Attributes.FirstOrDefault(a => a.Type == type);

    public ulong? Value(ushort type) => Attribute(type)?.Value;
}

/// <summary>One proposal (RFC 2408 §3.5): number, protocol, SPI and its transforms (alternatives).</summary>
public sealed record V1Proposal(byte Number, byte Protocol, byte[] Spi, IReadOnlyList<V1Transform> Transforms);

/// <summary>
/// The SA payload body (RFC 2408 §3.4, IPsec DOI RFC 2407 §4.6.1): DOI 1, situation SIT_IDENTITY_ONLY,
/// then the proposal payloads with their transform payloads.
/// </summary>
public static class SaPayload
{
    public const uint DoiIpsec = 1;
    public const uint SituationIdentityOnly = 1;

    public static byte[] Encode(IReadOnlyList<V1Proposal> proposals)
    {
        int length = 8;
        foreach (var p in proposals) length += ProposalLength(p);
        var body = new byte[length];
        var w = new IkeWriter(body);
        w.WriteUInt32(DoiIpsec);
        w.WriteUInt32(SituationIdentityOnly);
        for (int i = 0; i < proposals.Count; i++)
        {
            var p = proposals[i];
            w.WriteUInt8(i + 1 < proposals.Count ? (byte)IsakmpPayloadType.Proposal : (byte)0);
            w.WriteUInt8(0);
            w.WriteUInt16((ushort)ProposalLength(p));
            w.WriteUInt8(p.Number);
            w.WriteUInt8(p.Protocol);
            w.WriteUInt8((byte)p.Spi.Length);
            w.WriteUInt8((byte)p.Transforms.Count);
            w.WriteBytes(p.Spi);
            for (int j = 0; j < p.Transforms.Count; j++)
            {
                var t = p.Transforms[j];
                w.WriteUInt8(j + 1 < p.Transforms.Count ? (byte)IsakmpPayloadType.Transform : (byte)0);
                w.WriteUInt8(0);
                w.WriteUInt16((ushort)TransformLength(t));
                w.WriteUInt8(t.Number);
                w.WriteUInt8(t.Id);
                w.WriteUInt16(0);
                foreach (var a in t.Attributes) a.Write(ref w);
            }
        }
        return body;
    }

    private static int TransformLength(V1Transform t) => 8 + t.Attributes.Sum(a => a.EncodedLength);

    private static int ProposalLength(V1Proposal p) => 8 + p.Spi.Length + p.Transforms.Sum(TransformLength);

    public static bool TryDecode(ReadOnlySpan<byte> body, out List<V1Proposal> proposals, out string error)
    {
        proposals = [];
        error = "";
        var r = new IkeReader(body);
        if (!r.TryReadUInt32(out uint doi) || !r.TryReadUInt32(out uint situation)) { error = "SA payload shorter than DOI and situation"; return false; }
        if (doi != DoiIpsec) { error = $"DOI {doi} is not IPsec"; return false; }
        if (situation != SituationIdentityOnly) { error = $"situation {situation} is not SIT_IDENTITY_ONLY"; return false; }
        byte next = (byte)IsakmpPayloadType.Proposal;
        while (next != 0)
        {
            if (next != (byte)IsakmpPayloadType.Proposal) { error = $"payload {next} inside the SA payload"; return false; }
            if (proposals.Count >= 32) { error = "more than 32 proposals"; return false; }
            if (!r.TryReadUInt8(out next) || !r.TrySkip(1) || !r.TryReadUInt16(out ushort plength) || plength < 8 || !r.TryReadBytes(plength - 4, out var pbody))
            {
                error = "truncated proposal";
                return false;
            }
            if (!TryDecodeProposal(pbody, out var proposal, out error)) return false;
            proposals.Add(proposal!);
        }
        if (proposals.Count == 0) { error = "SA payload without proposals"; return false; }
        return true;
    }

    private static bool TryDecodeProposal(ReadOnlySpan<byte> body, out V1Proposal? proposal, out string error)
    {
        proposal = null;
        error = "";
        var r = new IkeReader(body);
        r.TryReadUInt8(out byte number);
        r.TryReadUInt8(out byte protocol);
        r.TryReadUInt8(out byte spiSize);
        r.TryReadUInt8(out byte count);
        if (!r.TryReadBytes(spiSize, out var spi)) { error = "proposal SPI truncated"; return false; }
        var transforms = new List<V1Transform>();
        for (int i = 0; i < count; i++)
        {
            if (!r.TryReadUInt8(out byte next) || !r.TrySkip(1) || !r.TryReadUInt16(out ushort tlength) || tlength < 8 || !r.TryReadBytes(tlength - 4, out var tbody))
            {
                error = $"transform {i + 1} of proposal {number} truncated";
                return false;
            }
            var tr = new IkeReader(tbody);
            tr.TryReadUInt8(out byte tnumber);
            tr.TryReadUInt8(out byte id);
            tr.TrySkip(2);
            var attributes = new List<SaAttribute>();
            while (!tr.End)
            {
                if (attributes.Count >= 32 || !SaAttribute.TryRead(ref tr, out var a)) { error = $"attributes of transform {tnumber} malformed"; return false; }
                attributes.Add(a!);
            }
            transforms.Add(new V1Transform(tnumber, id, attributes));
            if (next == 0 && i + 1 < count) { error = $"proposal {number} announces {count} transforms, has {i + 1}"; return false; }
        }
        proposal = new V1Proposal(number, protocol, spi.ToArray(), transforms);
        return true;
    }
}

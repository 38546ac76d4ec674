using System.Security.Cryptography;
using Petrel.Crypto.Proposals;

namespace Petrel.Ike.V2.CreateChildSa;

/// <summary>
/// The RFC 9370 §2.2.4 state of one CREATE_CHILD_SA whose selected proposal has additional key exchanges: the methods
/// still to run in IKE_FOLLOWUP_KE exchanges (transform-type order), the responder's link data that ties those
/// exchanges to the CREATE_CHILD_SA, and every shared secret so far, SK(0) of the CREATE_CHILD_SA's KE first.
/// KEYMAT and SKEYSEED take SK(0) | Ni | Nr | SK(1) | … | SK(n), as strongSwan does. Dispose zeroes the secrets.
/// </summary>
internal sealed class FollowUpKeyExchanges(IReadOnlyList<Transform> methods, byte[] first, byte[] link) : IDisposable
{
    private readonly List<byte[]> _secrets = [first];

    public IReadOnlyList<Transform> Methods { get; } = methods;
    public int Done { get; private set; }
    public bool Pending => Done < Methods.Count;
    public Transform Next => Methods[Done];

    /// <summary>The opaque data of the responder's ADDITIONAL_KEY_EXCHANGE notify, echoed in each IKE_FOLLOWUP_KE request.</summary>
    public byte[] Link { get; set; } = link;

    public void Add(byte[] secret)
    {
        _secrets.Add(secret);
        Done++;
    }

    /// <summary>SK(0), the secret of the CREATE_CHILD_SA's own KE (a copy; the caller zeroes it).</summary>
    public byte[] First() => _secrets[0].ToArray();

    /// <summary>SK(1) | … | SK(n), the secrets of the IKE_FOLLOWUP_KE exchanges (a copy; the caller zeroes it).</summary>
    public byte[] Additional()
    {
        var all = new byte[_secrets.Skip(1).Sum(s => s.Length)];
        int o = 0;
        foreach (var s in _secrets.Skip(1))
        {
            s.CopyTo(all, o);
            o += s.Length;
        }
        return all;
    }

    public void Dispose()
    {
        foreach (var s in _secrets) CryptographicOperations.ZeroMemory(s);
        _secrets.Clear();
    }
}

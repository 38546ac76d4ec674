using System.Security.Cryptography;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Primitives;
using Petrel.Ike.Keying;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2;

/// <summary>
/// The key exchange of a CREATE_CHILD_SA we initiate (PFS for a CHILD_SA, a new CHILD_SA or rekey, or an IKE SA rekey,
/// RFC 7296 §1.3) done on the crypto workers: the key pair before the request is built (<see cref="PrepareKeyPair"/>), the
/// shared secret when the response arrives (<see cref="ComputeSecret"/>). Results move to this object on the engine
/// thread only (the jobs' keep step); a job's thread writes only its own locals.
/// </summary>
internal sealed class OffloadedKeyExchange(string what) : IDisposable
{
    private KeyExchangeState? _pair;
    private ushort _pairGroup;
    private IkeMessage? _secretFor;
    private byte[]? _secret;
    private Exception? _secretError;

    /// <summary>A job making a key pair of <paramref name="group"/>, or null when one is ready or no key exchange is wanted.</summary>
    public TaskJob? PrepareKeyPair(ushort group, IRandom random)
    {
        if (group == 0 || (_pair is not null && _pairGroup == group)) return null;
        var method = KeyExchanges.Find(group);
        if (method is null) return null; // the request's build reports it
        KeyExchangeState? made = null;
        return new TaskJob($"{what} key pair", () =>
        {
            made = method.Create(random);
            _ = made.PublicKey;
        }, discard: () => made?.Dispose(), keep: () =>
        {
            _pair?.Dispose();
            _pair = made;
            _pairGroup = group;
        });
    }

    /// <summary>The prepared key pair of <paramref name="group"/> (the caller owns it now), or null when none was made.</summary>
    public KeyExchangeState? TakeKeyPair(ushort group)
    {
        if (_pair is null || _pairGroup != group) return null;
        var p = _pair;
        _pair = null;
        return p;
    }

    /// <summary>Whether the secret for <paramref name="response"/> has been computed.</summary>
    public bool HasSecret(IkeMessage response) => ReferenceEquals(_secretFor, response);

    /// <summary>
    /// A job computing the shared secret of <paramref name="pair"/> (given up to the job, which disposes of it) with the
    /// peer's KE data from <paramref name="response"/>.
    /// </summary>
    public TaskJob ComputeSecret(KeyExchangeState pair, ReadOnlyMemory<byte> peerKe, IkeMessage response)
    {
        byte[] peer = peerKe.ToArray();
        byte[]? shared = null;
        TaskJob? job = null;
        job = new TaskJob($"{what} shared secret", () =>
        {
            using (pair) shared = pair.ComputeSharedSecret(peer);
        }, discard: () => { if (shared is not null) CryptographicOperations.ZeroMemory(shared); }, keep: () =>
        {
            ZeroSecret();
            _secretFor = response;
            _secret = shared;
            _secretError = job!.Error;
        });
        return job;
    }

    /// <summary>The secret computed for the response (the caller zeroes it); the job's error (an invalid KE value) is thrown.</summary>
    public byte[] TakeSecret()
    {
        var error = _secretError;
        var secret = _secret;
        _secret = null;
        _secretError = null;
        if (error is not null) throw error as CryptographicException ?? new CryptographicException(error.Message, error);
        return secret ?? [];
    }

    private void ZeroSecret()
    {
        if (_secret is not null) CryptographicOperations.ZeroMemory(_secret);
        _secret = null;
    }

    public void Dispose()
    {
        _pair?.Dispose();
        _pair = null;
        ZeroSecret();
        _secretFor = null;
    }
}

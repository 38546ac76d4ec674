using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// libcrypto's low-level digest functions (SHA1_*, SHA256_*, SHA384_*/SHA512_*), the same
/// SHA-NI/AVX code the runtime's hashing reaches through OpenSSL 3's provider layer, but without
/// that layer. Per ESP packet the runtime's HMAC (IncrementalHash) costs an error-queue clear per
/// call, an EVP_MD_CTX copy with a heap allocation and free, and parameter lookups by name: on
/// 1400-byte packets a profile of the sending thread showed more CPU there than in the two SHA-256
/// passes themselves. These functions work on a plain state struct the caller owns, so an HMAC
/// keeps its keyed inner and outer states and copies them per packet (<see cref="NativeHmacContext"/>).
/// Null when libcrypto.so.3 or a symbol is missing, or the self-test fails; callers then use the
/// runtime's HMAC.
/// </summary>
internal sealed unsafe class NativeDigest
{
    /// <summary>Room for any of the state structs (SHA_CTX 96, SHA256_CTX 112, SHA512_CTX 216 bytes).</summary>
    public const int StateBytes = 256;

    private static readonly nint Library = Load();
    private static readonly NativeDigest? Sha1 = Create("SHA1", "SHA1", 64, 20, HashAlgorithmName.SHA1);
    private static readonly NativeDigest? Sha256 = Create("SHA256", "SHA256", 64, 32, HashAlgorithmName.SHA256);
    private static readonly NativeDigest? Sha384 = Create("SHA384", "SHA512", 128, 48, HashAlgorithmName.SHA384);
    private static readonly NativeDigest? Sha512 = Create("SHA512", "SHA512", 128, 64, HashAlgorithmName.SHA512);

    private readonly delegate* unmanaged<void*, int> _init;
    private readonly delegate* unmanaged<void*, byte*, nuint, int> _update;
    private readonly delegate* unmanaged<byte*, void*, int> _final;

    private NativeDigest(nint init, nint update, nint final, int blockBytes, int outputBytes)
    {
        _init = (delegate* unmanaged<void*, int>)init;
        _update = (delegate* unmanaged<void*, byte*, nuint, int>)update;
        _final = (delegate* unmanaged<byte*, void*, int>)final;
        BlockBytes = blockBytes;
        OutputBytes = outputBytes;
    }

    public int BlockBytes { get; }
    public int OutputBytes { get; }

    /// <summary>The digest for <paramref name="kind"/>, or null when libcrypto does not offer it (MD5 is left to the runtime).</summary>
    public static NativeDigest? For(HashKind kind) => kind switch
    {
        HashKind.Sha1 => Sha1,
        HashKind.Sha256 => Sha256,
        HashKind.Sha384 => Sha384,
        HashKind.Sha512 => Sha512,
        _ => null,
    };

    public void Init(byte* state) => _init(state);

    public void Update(byte* state, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
            _update(state, p, (nuint)data.Length);
    }

    /// <summary>Writes OutputBytes bytes of digest to <paramref name="digest"/> and wipes the state's buffered block.</summary>
    public void Final(byte* state, byte* digest) => _final(digest, state);

    private static nint Load() =>
        NativeLibrary.TryLoad("libcrypto.so.3", out nint handle) ? handle : 0;

    // SHA-384 shares SHA512_Update (and the SHA512_CTX) but has its own Init and Final.
    private static NativeDigest? Create(string name, string updateName, int blockBytes, int outputBytes, HashAlgorithmName runtimeName)
    {
        if (Library == 0
            || !NativeLibrary.TryGetExport(Library, name + "_Init", out nint init)
            || !NativeLibrary.TryGetExport(Library, updateName + "_Update", out nint update)
            || !NativeLibrary.TryGetExport(Library, name + "_Final", out nint final))
            return null;
        var digest = new NativeDigest(init, update, final, blockBytes, outputBytes);
        return digest.SelfTest(runtimeName) ? digest : null;
    }

    /// <summary>
    /// A two-block message against the runtime's digest: guards against a libcrypto whose
    /// low-level functions behave differently, or whose state struct is larger than
    /// <see cref="StateBytes"/> (the canary after the state would show it).
    /// </summary>
    private bool SelfTest(HashAlgorithmName runtimeName)
    {
        byte* state = stackalloc byte[StateBytes + 16];
        var canary = new Span<byte>(state + StateBytes, 16);
        canary.Fill(0xA5);
        Span<byte> message = stackalloc byte[200];
        for (int i = 0; i < message.Length; i++)
            message[i] = (byte)(i * 7 + 1);
        Span<byte> native = stackalloc byte[OutputBytes];
        Span<byte> managed = stackalloc byte[OutputBytes];
        Init(state);
        Update(state, message[..3]);
        Update(state, message[3..]);
        fixed (byte* d = native)
            Final(state, d);
        CryptographicOperations.HashData(runtimeName, message, managed);
        return native.SequenceEqual(managed) && canary.IndexOfAnyExcept((byte)0xA5) < 0;
    }
}

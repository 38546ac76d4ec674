using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Petrel.Crypto.KeyExchange;

/// <summary>
/// ECDH point multiplication on one curve through libcrypto's EC_POINT functions, the same code (nistz256 for P-256,
/// the constant-time ladder elsewhere) the runtime's ECDiffieHellman reaches through OpenSSL 3's provider layer, but
/// without that layer's extra work per exchange: the runtime re-derives and checks a key pair imported from a private
/// scalar, runs a full key check (a point multiplication by the group order) on every imported peer key, and checks
/// it again when it sets the peer for the derivation: five or six multiplications where ECDH needs two (our public
/// value d·G and the shared point d·Q). Measured with thread CPU time on this machine: a P-256 responder exchange
/// 345 µs through the runtime. Here the peer's point is checked to lie on the curve (EC_POINT_set_affine_coordinates
/// refuses one that does not, after <see cref="EcpGroup.IsOnCurve"/>); every curve offered has cofactor 1, so no
/// subgroup check is needed. Null when libcrypto.so.3 or a symbol is missing, or the self-test against the runtime
/// fails; <see cref="EcpKeyExchangeState"/> then uses the runtime.
/// </summary>
internal sealed unsafe class NativeEcp
{
    private const int BnFlagConstTime = 0x04;

    private static readonly nint Library = NativeLibrary.TryLoad("libcrypto.so.3", out nint handle) ? handle : 0;
    private static readonly Functions? Api = Functions.Load(Library);

    private readonly nint _group;
    private readonly int _fieldBytes;

    private NativeEcp(nint group, int fieldBytes)
    {
        _group = group;
        _fieldBytes = fieldBytes;
    }

    /// <summary>The native curve for <paramref name="group"/>, or null (then the runtime does the work).</summary>
    public static NativeEcp? For(EcpGroup group)
    {
        if (Api is null)
            return null;
        string? name = group.Curve.Oid.Value ?? group.Curve.Oid.FriendlyName;
        if (name is null)
            return null;
        int nid = Api.ObjTxt2Nid(name);
        if (nid == 0)
        {
            Api.ErrClearError();
            return null;
        }
        nint g = Api.EcGroupNewByCurveName(nid);
        if (g == 0)
        {
            Api.ErrClearError();
            return null;
        }
        var native = new NativeEcp(g, group.FieldBytes);
        return native.SelfTest(group) ? native : null;
    }

    /// <summary>X || Y of d·G, each <c>fieldBytes</c> long; false if libcrypto fails.</summary>
    public bool PublicValue(ReadOnlySpan<byte> scalar, Span<byte> publicValue) => Multiply(scalar, default, publicValue);

    /// <summary>The x-coordinate of d·Q (RFC 5903 §9); false when Q is not a point on the curve or the result is the point at infinity.</summary>
    public bool SharedSecret(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> peer, Span<byte> secret) => Multiply(scalar, peer, secret);

    /// <summary>d·G when <paramref name="point"/> is empty, else d·point; writes X || Y, or only X for a shared secret.</summary>
    private bool Multiply(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point, Span<byte> output)
    {
        var api = Api!;
        int n = _fieldBytes;
        nint ctx = api.BnCtxNew();
        nint d = 0, x = 0, y = 0, peer = 0, result = 0;
        try
        {
            if (ctx == 0 || (d = api.BnNew()) == 0 || (x = api.BnNew()) == 0 || (y = api.BnNew()) == 0
                || (result = api.EcPointNew(_group)) == 0)
                return false;
            api.BnSetFlags(d, BnFlagConstTime);
            fixed (byte* s = scalar)
            {
                if (api.BnBin2Bn(s, scalar.Length, d) == 0)
                    return false;
            }
            if (point.IsEmpty)
            {
                if (api.EcPointMul(_group, result, d, 0, 0, ctx) != 1)
                    return false;
            }
            else
            {
                if ((peer = api.EcPointNew(_group)) == 0)
                    return false;
                fixed (byte* px = point)
                {
                    if (api.BnBin2Bn(px, n, x) == 0 || api.BnBin2Bn(px + n, n, y) == 0)
                        return false;
                }
                // Refuses a point that is not on the curve (OpenSSL 1.1.1 and later check it here).
                if (api.EcPointSetAffineCoordinates(_group, peer, x, y, ctx) != 1
                    || api.EcPointMul(_group, result, 0, peer, d, ctx) != 1)
                    return false;
            }
            if (api.EcPointIsAtInfinity(_group, result) != 0
                || api.EcPointGetAffineCoordinates(_group, result, x, y, ctx) != 1)
                return false;
            fixed (byte* o = output)
            {
                if (api.BnBn2BinPad(x, o, n) != n)
                    return false;
                if (point.IsEmpty && api.BnBn2BinPad(y, o + n, n) != n)
                    return false;
            }
            return true;
        }
        finally
        {
            if (result != 0) api.EcPointClearFree(result);
            if (peer != 0) api.EcPointFree(peer);
            if (d != 0) api.BnClearFree(d);
            if (x != 0) api.BnClearFree(x);
            if (y != 0) api.BnFree(y);
            if (ctx != 0) api.BnCtxFree(ctx);
            // Leave nothing on the thread's error queue for the runtime's next OpenSSL call to trip over.
            api.ErrClearError();
        }
    }

    /// <summary>
    /// Two key pairs against the runtime's: both public values, the shared secret each way, and an off-curve point
    /// refused. Guards against a libcrypto whose functions behave differently from the ones this was written for.
    /// </summary>
    private bool SelfTest(EcpGroup group)
    {
        try
        {
            int n = _fieldBytes;
            using var a = ECDiffieHellman.Create(group.Curve);
            using var b = ECDiffieHellman.Create(group.Curve);
            var pa = a.ExportParameters(true);
            var pb = b.ExportParameters(true);
            var da = Pad(pa.D!, group.Order.Length);
            Span<byte> mine = stackalloc byte[2 * n];
            if (!PublicValue(da, mine) || !mine.SequenceEqual([.. Pad(pa.Q.X!, n), .. Pad(pa.Q.Y!, n)]))
                return false;
            byte[] peer = [.. Pad(pb.Q.X!, n), .. Pad(pb.Q.Y!, n)];
            Span<byte> shared = stackalloc byte[n];
            if (!SharedSecret(da, peer, shared) || !shared.SequenceEqual(a.DeriveRawSecretAgreement(b.PublicKey)))
                return false;
            peer[^1] ^= 1;
            return !SharedSecret(da, peer, shared);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static byte[] Pad(byte[] value, int length)
    {
        if (value.Length >= length)
            return value;
        var padded = new byte[length];
        value.CopyTo(padded, length - value.Length);
        return padded;
    }

    /// <summary>The libcrypto entry points, all present in OpenSSL 1.1.1 and 3.x.</summary>
    private sealed class Functions
    {
        public delegate* unmanaged<byte*, int> ObjTxt2NidFunction;
        public delegate* unmanaged<int, nint> EcGroupNewByCurveName;
        public delegate* unmanaged<nint, nint> EcPointNew;
        public delegate* unmanaged<nint, void> EcPointFree;
        public delegate* unmanaged<nint, void> EcPointClearFree;
        public delegate* unmanaged<nint, nint, nint, nint, nint, nint, int> EcPointMul;
        public delegate* unmanaged<nint, nint, nint, nint, nint, int> EcPointSetAffineCoordinates;
        public delegate* unmanaged<nint, nint, nint, nint, nint, int> EcPointGetAffineCoordinates;
        public delegate* unmanaged<nint, nint, int> EcPointIsAtInfinity;
        public delegate* unmanaged<nint> BnNew;
        public delegate* unmanaged<nint, void> BnFree;
        public delegate* unmanaged<nint, void> BnClearFree;
        public delegate* unmanaged<nint, int, void> BnSetFlags;
        public delegate* unmanaged<byte*, int, nint, nint> BnBin2Bn;
        public delegate* unmanaged<nint, byte*, int, int> BnBn2BinPad;
        public delegate* unmanaged<nint> BnCtxNew;
        public delegate* unmanaged<nint, void> BnCtxFree;
        public delegate* unmanaged<void> ErrClearError;

        public int ObjTxt2Nid(string name)
        {
            Span<byte> text = stackalloc byte[name.Length + 1];
            System.Text.Encoding.ASCII.GetBytes(name, text);
            text[^1] = 0;
            // A dotted OID, or a short or long name.
            fixed (byte* t = text)
                return ObjTxt2NidFunction(t);
        }

        public static Functions? Load(nint library)
        {
            if (library == 0)
                return null;
            var f = new Functions();
            if (!(Get(library, "OBJ_txt2nid", out nint txt2nid)
                && Get(library, "EC_GROUP_new_by_curve_name", out nint groupNew)
                && Get(library, "EC_POINT_new", out nint pointNew)
                && Get(library, "EC_POINT_free", out nint pointFree)
                && Get(library, "EC_POINT_clear_free", out nint pointClearFree)
                && Get(library, "EC_POINT_mul", out nint mul)
                && Get(library, "EC_POINT_set_affine_coordinates", out nint set)
                && Get(library, "EC_POINT_get_affine_coordinates", out nint get)
                && Get(library, "EC_POINT_is_at_infinity", out nint infinity)
                && Get(library, "BN_new", out nint bnNew)
                && Get(library, "BN_free", out nint bnFree)
                && Get(library, "BN_clear_free", out nint bnClearFree)
                && Get(library, "BN_set_flags", out nint bnSetFlags)
                && Get(library, "BN_bin2bn", out nint bin2bn)
                && Get(library, "BN_bn2binpad", out nint bn2binpad)
                && Get(library, "BN_CTX_new", out nint ctxNew)
                && Get(library, "BN_CTX_free", out nint ctxFree)
                && Get(library, "ERR_clear_error", out nint clear)))
                return null;
            f.ObjTxt2NidFunction = (delegate* unmanaged<byte*, int>)txt2nid;
            f.EcGroupNewByCurveName = (delegate* unmanaged<int, nint>)groupNew;
            f.EcPointNew = (delegate* unmanaged<nint, nint>)pointNew;
            f.EcPointFree = (delegate* unmanaged<nint, void>)pointFree;
            f.EcPointClearFree = (delegate* unmanaged<nint, void>)pointClearFree;
            f.EcPointMul = (delegate* unmanaged<nint, nint, nint, nint, nint, nint, int>)mul;
            f.EcPointSetAffineCoordinates = (delegate* unmanaged<nint, nint, nint, nint, nint, int>)set;
            f.EcPointGetAffineCoordinates = (delegate* unmanaged<nint, nint, nint, nint, nint, int>)get;
            f.EcPointIsAtInfinity = (delegate* unmanaged<nint, nint, int>)infinity;
            f.BnNew = (delegate* unmanaged<nint>)bnNew;
            f.BnFree = (delegate* unmanaged<nint, void>)bnFree;
            f.BnClearFree = (delegate* unmanaged<nint, void>)bnClearFree;
            f.BnSetFlags = (delegate* unmanaged<nint, int, void>)bnSetFlags;
            f.BnBin2Bn = (delegate* unmanaged<byte*, int, nint, nint>)bin2bn;
            f.BnBn2BinPad = (delegate* unmanaged<nint, byte*, int, int>)bn2binpad;
            f.BnCtxNew = (delegate* unmanaged<nint>)ctxNew;
            f.BnCtxFree = (delegate* unmanaged<nint, void>)ctxFree;
            f.ErrClearError = (delegate* unmanaged<void>)clear;
            return f;
        }

        private static bool Get(nint library, string name, out nint address) => NativeLibrary.TryGetExport(library, name, out address);
    }
}

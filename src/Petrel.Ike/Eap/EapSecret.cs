using System.Text;
using Org.BouncyCastle.Crypto.Digests;

namespace Petrel.Ike.Eap;

/// <summary>
/// A user's EAP secret: the password (swanctl's secrets.eap-NAME.secret) or, for MSCHAPv2, only its NT hash
/// (secrets.ntlm-NAME.secret = 0x…, 16 bytes). Never logged.
/// </summary>
public sealed class EapSecret
{
    private EapSecret(byte[]? password, byte[]? ntHash)
    {
        Password = password;
        NtHashValue = ntHash;
    }

    /// <summary>The password bytes as configured (UTF-8); null when only an NT hash is known.</summary>
    public byte[]? Password { get; }
    private byte[]? NtHashValue { get; }

    public static EapSecret FromPassword(byte[] password) => new(password, null);

    public static EapSecret FromNtHash(byte[] ntHash) =>
        ntHash.Length == 16 ? new(null, ntHash) : throw new ArgumentException($"an NT hash has 16 bytes, not {ntHash.Length}");

    /// <summary>RFC 2759 §8.3 NtPasswordHash: MD4 over the password in UTF-16LE.</summary>
    public byte[] NtHash()
    {
        if (NtHashValue is not null) return NtHashValue;
        var unicode = Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(Password!));
        var md4 = new MD4Digest();
        md4.BlockUpdate(unicode, 0, unicode.Length);
        var hash = new byte[16];
        md4.DoFinal(hash, 0);
        Array.Clear(unicode);
        return hash;
    }
}

using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace Petrel.Ike.Eap;

/// <summary>
/// The MS-CHAPv2 functions of RFC 2759 §8 (NT-Response, authenticator response) and the key derivation of
/// RFC 3079 §3 that EAP-MSCHAPv2 turns into its MSK as Microsoft and strongSwan do:
/// MSK = MasterReceiveKey ‖ MasterSendKey ‖ 32 zero bytes, the two keys seen from the authenticator.
/// </summary>
internal static class MsChapV2
{
    public const int ChallengeLength = 16, NtResponseLength = 24, MskLength = 64;

    // RFC 2759 §8.7 and RFC 3079 §3.4: the magic constants, spelled out as the ASCII they are.
    private static readonly byte[] AuthMagic1 = Encoding.ASCII.GetBytes("Magic server to client signing constant");
    private static readonly byte[] AuthMagic2 = Encoding.ASCII.GetBytes("Pad to make it do more than one iteration");
    private static readonly byte[] KeyMagic1 = Encoding.ASCII.GetBytes("This is the MPPE Master Key");
    private static readonly byte[] KeyMagic2 = Encoding.ASCII.GetBytes("On the client side, this is the send key; on the server side, it is the receive key.");
    private static readonly byte[] KeyMagic3 = Encoding.ASCII.GetBytes("On the client side, this is the receive key; on the server side, it is the send key.");

    /// <summary>RFC 2759 §8.4 HashNtPasswordHash: MD4 of the NT hash.</summary>
    public static byte[] HashNtPasswordHash(ReadOnlySpan<byte> ntHash)
    {
        var md4 = new MD4Digest();
        md4.BlockUpdate(ntHash);
        var hash = new byte[16];
        md4.DoFinal(hash);
        return hash;
    }

    /// <summary>RFC 2759 §8.2 ChallengeHash: the first 8 bytes of SHA-1(PeerChallenge ‖ AuthenticatorChallenge ‖ UserName).</summary>
    public static byte[] ChallengeHash(ReadOnlySpan<byte> peerChallenge, ReadOnlySpan<byte> authenticatorChallenge, string userName)
    {
        var user = Encoding.UTF8.GetBytes(UserPart(userName));
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha.AppendData(peerChallenge);
        sha.AppendData(authenticatorChallenge);
        sha.AppendData(user);
        return sha.GetHashAndReset()[..8];
    }

    /// <summary>RFC 2759 §8.1: the hash uses the user name without a "DOMAIN\" prefix (as Windows and strongSwan do).</summary>
    public static string UserPart(string userName)
    {
        int backslash = userName.IndexOf('\\');
        return backslash < 0 ? userName : userName[(backslash + 1)..];
    }

    /// <summary>RFC 2759 §8.5 ChallengeResponse: the 8-byte challenge DES-encrypted under three 7-byte slices of the zero-padded NT hash.</summary>
    public static byte[] ChallengeResponse(ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> ntHash)
    {
        Span<byte> padded = stackalloc byte[21];
        padded.Clear();
        ntHash.CopyTo(padded);
        var response = new byte[NtResponseLength];
        for (int i = 0; i < 3; i++)
            DesEncrypt(challenge, padded.Slice(i * 7, 7), response.AsSpan(i * 8, 8));
        CryptographicOperations.ZeroMemory(padded);
        return response;
    }

    /// <summary>RFC 2759 §8.1 GenerateNTResponse.</summary>
    public static byte[] NtResponse(ReadOnlySpan<byte> authenticatorChallenge, ReadOnlySpan<byte> peerChallenge, string userName, ReadOnlySpan<byte> ntHash) =>
        ChallengeResponse(ChallengeHash(peerChallenge, authenticatorChallenge, userName), ntHash);

    /// <summary>RFC 2759 §8.7 GenerateAuthenticatorResponse: the 20 bytes that "S=" carries in hex.</summary>
    public static byte[] AuthenticatorResponse(ReadOnlySpan<byte> ntHash, ReadOnlySpan<byte> ntResponse, ReadOnlySpan<byte> peerChallenge,
        ReadOnlySpan<byte> authenticatorChallenge, string userName)
    {
        var hashHash = HashNtPasswordHash(ntHash);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha.AppendData(hashHash);
        sha.AppendData(ntResponse);
        sha.AppendData(AuthMagic1);
        var digest = sha.GetHashAndReset();
        sha.AppendData(digest);
        sha.AppendData(ChallengeHash(peerChallenge, authenticatorChallenge, userName));
        sha.AppendData(AuthMagic2);
        return sha.GetHashAndReset();
    }

    /// <summary>"S=" and 40 upper-case hex digits (RFC 2759 §5).</summary>
    public static string AuthenticatorResponseText(ReadOnlySpan<byte> response) => "S=" + Convert.ToHexString(response);

    /// <summary>RFC 3079 §3.4 GetMasterKey: the first 16 bytes of SHA-1(PasswordHashHash ‖ NT-Response ‖ Magic1).</summary>
    public static byte[] MasterKey(ReadOnlySpan<byte> passwordHashHash, ReadOnlySpan<byte> ntResponse)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha.AppendData(passwordHashHash);
        sha.AppendData(ntResponse);
        sha.AppendData(KeyMagic1);
        return sha.GetHashAndReset()[..16];
    }

    /// <summary>RFC 3079 §3.4 GetAsymmetricStartKey with a 16-byte key, for the authenticator (IsServer = TRUE).</summary>
    public static byte[] ServerStartKey(ReadOnlySpan<byte> masterKey, bool send)
    {
        Span<byte> pad1 = stackalloc byte[40], pad2 = stackalloc byte[40];
        pad1.Clear();
        pad2.Fill(0xf2);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha.AppendData(masterKey);
        sha.AppendData(pad1);
        sha.AppendData(send ? KeyMagic3 : KeyMagic2);
        sha.AppendData(pad2);
        return sha.GetHashAndReset()[..16];
    }

    /// <summary>The 64-byte MSK: MasterReceiveKey ‖ MasterSendKey ‖ 32 zero bytes; the same on both sides.</summary>
    public static byte[] Msk(ReadOnlySpan<byte> ntHash, ReadOnlySpan<byte> ntResponse)
    {
        var master = MasterKey(HashNtPasswordHash(ntHash), ntResponse);
        var msk = new byte[MskLength];
        ServerStartKey(master, send: false).CopyTo(msk, 0);
        ServerStartKey(master, send: true).CopyTo(msk, 16);
        CryptographicOperations.ZeroMemory(master);
        return msk;
    }

    /// <summary>DES (RFC 2759 §8.6 DesEncrypt) with a 7-byte key spread over 8 bytes; the parity bits are ignored by DES.</summary>
    private static void DesEncrypt(ReadOnlySpan<byte> clear, ReadOnlySpan<byte> key7, Span<byte> cypher)
    {
        var key = new byte[8];
        key[0] = key7[0];
        key[1] = (byte)((key7[0] << 7) | (key7[1] >> 1));
        key[2] = (byte)((key7[1] << 6) | (key7[2] >> 2));
        key[3] = (byte)((key7[2] << 5) | (key7[3] >> 3));
        key[4] = (byte)((key7[3] << 4) | (key7[4] >> 4));
        key[5] = (byte)((key7[4] << 3) | (key7[5] >> 5));
        key[6] = (byte)((key7[5] << 2) | (key7[6] >> 6));
        key[7] = (byte)(key7[6] << 1);
        var des = new DesEngine();
        des.Init(true, new KeyParameter(key));
        des.ProcessBlock(clear, cypher);
        CryptographicOperations.ZeroMemory(key);
    }
}

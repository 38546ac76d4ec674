namespace Petrel.Crypto.Primitives;

/// <summary>The hash functions behind the HMAC integrity transforms and PRFs.</summary>
public enum HashKind
{
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

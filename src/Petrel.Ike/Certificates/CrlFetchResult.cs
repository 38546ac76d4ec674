namespace Petrel.Ike.Certificates;

/// <summary>What a CRL fetch brought back: the body (DER or PEM, parsed by the engine), or one line saying why there is none.</summary>
public sealed record CrlFetchResult(byte[]? Body, string Error)
{
    public static CrlFetchResult Success(byte[] body) => new(body, "");
    public static CrlFetchResult Failure(string error) => new(null, error);
    public bool Ok => Body is not null;
}

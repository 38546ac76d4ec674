namespace Petrel.Ike.Certificates;

/// <summary>
/// A certificate, key or CRL could not be used. The message is one line that names the file (when there
/// is one) and what is wrong with it, fit for a log line or the CLI's "petrel: ..." error.
/// </summary>
public sealed class CertificateException : Exception
{
    public CertificateException(string message) : base(message) { }
    public CertificateException(string message, Exception inner) : base(message, inner) { }
}

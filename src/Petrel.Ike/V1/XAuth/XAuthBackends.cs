using System.Security.Cryptography;
using Petrel.Ike.Auth;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V1.XAuth;

/// <summary>Checks an XAuth user name and password; returns null when they are right, else the reason (without the password).</summary>
internal interface IXAuthBackend
{
    string? Verify(IkeSa sa, string user, byte[] password);
}

/// <summary>
/// The XAuth backends `auth = xauth…` names: xauth and xauth-generic check the swanctl secrets here; xauth-radius asks
/// a RADIUS server (<see cref="XAuthServer"/> runs that one, since its answer comes later).
/// </summary>
internal static class XAuthBackends
{
    public static IXAuthBackend For(IkeEngine engine, string auth) => new SecretsBackend(engine);

    public static bool IsRadius(string auth) => auth.Equals("xauth-radius", StringComparison.OrdinalIgnoreCase);

    /// <summary>User names compare as identities (so "carol" in a secret's id matches the name "carol").</summary>
    public static bool SameUser(string a, string b) =>
        Identity.TryParse(a, out var x, out _) && Identity.TryParse(b, out var y, out _) ? x!.Equals(y) : a == b;

    /// <summary>
    /// strongSwan's xauth-generic: the xauth- secret (else eap- secret) for our identity and the user, best match first,
    /// compared in constant time.
    /// </summary>
    private sealed class SecretsBackend(IkeEngine engine) : IXAuthBackend
    {
        public string? Verify(IkeSa sa, string user, byte[] password)
        {
            if (!Identity.TryParse(user, out var userId, out _) || userId is null || userId.IsAny)
                return $"user name '{Printable(user)}' is not a valid identity";
            var ours = sa.LocalId ?? Identity.FromAddress(sa.Local.Address);
            var secret = SharedSecretLookup.Find(engine.Secrets, ours, userId, "xauth") ?? SharedSecretLookup.Find(engine.Secrets, ours, userId, "eap");
            if (secret is null)
                return $"no xauth- or eap- secret for user '{user}'";
            return secret.Secret.Length == password.Length && CryptographicOperations.FixedTimeEquals(secret.Secret, password)
                ? null : $"wrong password for user '{user}'";
        }
    }

    public static string Printable(string s) => new(s.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}

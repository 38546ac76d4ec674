using System.Text;

namespace Petrel.Ike.Eap;

/// <summary>
/// The authenticator's whole EAP conversation with one IKE peer (RFC 7296 §2.16): an EAP-Identity round when the
/// peer's EAP identity is not its IKE identity (eap_id = %any, as strongSwan asks), then one method, made by the
/// factory once the identity is known. A Nak names the types the peer wants (RFC 3748 §5.3.1): the first of them we
/// may offer starts instead (auth = eap allows several), else the conversation fails naming them.
/// </summary>
public sealed class EapServerSession
{
    private readonly Func<string, byte, EapType, IEapServer?> _createMethod;
    private readonly IReadOnlyList<EapType> _methods;
    private readonly bool _askIdentity;
    private byte _identifier;
    private bool _switched;
    private bool _startPending;

    /// <param name="identity">The peer's EAP identity when it is known without asking (its IKE identity).</param>
    /// <param name="askIdentity">Send EAP-Identity first and take the identity from the answer.</param>
    /// <param name="firstIdentifier">A random first Identifier (RFC 3748 §4.1).</param>
    /// <param name="createMethod">Makes the method for an identity, starting at the given Identifier.</param>
    public EapServerSession(string identity, bool askIdentity, byte firstIdentifier, Func<string, byte, IEapServer> createMethod)
        : this(identity, askIdentity, firstIdentifier, [EapType.None], (user, id, _) => createMethod(user, id))
    {
    }

    /// <param name="methods">The method types we may run, in the order we offer them.</param>
    /// <param name="createMethod">Makes a method of a type for an identity, starting at an Identifier; null when it cannot (no credentials).</param>
    public EapServerSession(string identity, bool askIdentity, byte firstIdentifier, IReadOnlyList<EapType> methods, Func<string, byte, EapType, IEapServer?> createMethod)
    {
        Identity = identity;
        _askIdentity = askIdentity;
        _identifier = firstIdentifier;
        _methods = methods;
        _createMethod = createMethod;
    }

    /// <summary>The peer's EAP identity (from EAP-Identity, or as given).</summary>
    public string Identity { get; private set; }

    public IEapServer? Method { get; private set; }

    /// <summary>For the log: the method's name once chosen.</summary>
    public string MethodName => Method?.Name ?? "EAP-Identity";

    public ReadOnlyMemory<byte> Msk => Method?.Msk ?? ReadOnlyMemory<byte>.Empty;

    public EapServerStep Start()
    {
        if (_startPending)
            return StartCurrent();
        if (_askIdentity)
            return EapServerStep.Send(EapPacket.Request(_identifier, EapType.Identity, []));
        return StartMethod();
    }

    public EapServerStep Process(EapPacket response)
    {
        if (response.Code != EapCode.Response)
            return EapServerStep.Fail(response.Identifier, $"expected an EAP Response, received {response}");
        // The method's start waited for a backend: the same message is processed again once it answered.
        if (_startPending)
            return StartCurrent();
        if (Method is null)
        {
            if (response.Type != EapType.Identity || response.Identifier != _identifier)
                return EapServerStep.Fail(_identifier, $"expected the EAP-Identity response, received {response}");
            // RFC 3748 §5.1: the identity is UTF-8 text without a terminating NUL.
            var text = IdentityText(response.Data);
            if (text.Length == 0)
                return EapServerStep.Fail(_identifier, "the peer sent an empty EAP identity");
            Identity = text;
            _identifier++;
            return StartMethod();
        }
        if (response.Type == EapType.Nak && !Method.PassThrough)
        {
            var wanted = new List<string>();
            foreach (var b in response.Data)
            {
                wanted.Add(b == 0 ? "none" : EapTypeNames.Of((EapType)b));
                if (!_switched && _methods.Contains((EapType)b) && b != 0)
                {
                    _switched = true;
                    _identifier = (byte)(response.Identifier + 1);
                    return StartMethod((EapType)b);
                }
            }
            return EapServerStep.Fail(response.Identifier, $"the peer refuses {Method.Name} (EAP-Nak, it wants {string.Join(", ", wanted)})");
        }
        return Method.Process(response);
    }

    /// <summary>
    /// The identity as text. strongSwan answers with its IKE identity's encoding, so a distinguished name arrives as DER
    /// (a SEQUENCE): it is printed as strongSwan prints DNs ("C=CH, O=…, CN=…"), the form RADIUS and secrets use.
    /// </summary>
    private static string IdentityText(ReadOnlySpan<byte> data)
    {
        if (data.Length > 2 && data[0] == 0x30)
        {
            string dn = new Wire.Identity(Wire.IdType.DerAsn1Dn, data.ToArray()).ToString();
            if (!dn.StartsWith('(')) return dn;
        }
        return Encoding.UTF8.GetString(data).TrimEnd('\0');
    }

    private EapServerStep StartMethod() => StartMethod(_methods[0]);

    private EapServerStep StartMethod(EapType type)
    {
        var method = _createMethod(Identity, _identifier, type);
        if (method is null)
            return EapServerStep.Fail(_identifier, $"{EapTypeNames.Of(type)} cannot start for '{Identity}'");
        Method = method;
        return StartCurrent();
    }

    private EapServerStep StartCurrent()
    {
        var step = Method!.Start();
        _startPending = step.Kind == EapServerStepKind.Pending;
        return step;
    }
}

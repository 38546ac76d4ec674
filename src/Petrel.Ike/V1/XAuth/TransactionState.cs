namespace Petrel.Ike.V1.XAuth;

/// <summary>What one of our Transaction (Mode Config / XAuth) requests asks for, so its answer goes to the right step.</summary>
internal enum TransactionKind
{
    /// <summary>XAuth server: CFG_REQUEST for user name and password.</summary>
    XAuthCredentials,
    /// <summary>XAuth server: CFG_SET with XAUTH_STATUS.</summary>
    XAuthStatus,
    /// <summary>Mode Config client (pull): CFG_REQUEST for a virtual IP and DNS.</summary>
    ModeConfigRequest,
    /// <summary>Mode Config server (push): CFG_SET with the virtual IP and DNS.</summary>
    ModeConfigSet,
}

/// <summary>
/// The per-SA state of XAuth and Mode Config: our Transaction requests waiting for an answer (by message ID),
/// whether Phase 1 waits for them before it counts as established, and the XAuth user and verdict.
/// </summary>
internal sealed class TransactionState
{
    public Dictionary<uint, TransactionKind> Outstanding { get; } = [];

    /// <summary>Main Mode is done, but the SA becomes established only when XAuth (and a client's Mode Config) finish.</summary>
    public bool Deferred { get; set; }

    /// <summary>The XAuth user name: the one the client sent (server) or the one we sent (client).</summary>
    public string? XAuthUser { get; set; }

    /// <summary>Server: the verdict sent in CFG_SET; client: the verdict received.</summary>
    public bool XAuthOk { get; set; }

    /// <summary>Server: why the user was refused (logged when the client acknowledges the FAIL status).</summary>
    public string? XAuthFailure { get; set; }

    /// <summary>The identifier of the exchange the client answers (echoed in CFG_REPLY / CFG_ACK).</summary>
    public ushort Identifier { get; set; }

    /// <summary>Number of CFG_REQUESTs for credentials seen as client (a server may ask again after a typo; bounded).</summary>
    public int CredentialRequests { get; set; }
}

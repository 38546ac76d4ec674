using System.Net;

namespace Petrel.Ike.Engine;

/// <summary>
/// Sends IKE datagrams. The message is the bare IKE message; an adapter bound to port 4500 adds
/// the four-byte non-ESP marker (RFC 3948 §2.2). Tests use an in-memory network instead.
/// </summary>
public interface IIkeTransport
{
    void Send(IPEndPoint local, IPEndPoint remote, ReadOnlyMemory<byte> message);
}

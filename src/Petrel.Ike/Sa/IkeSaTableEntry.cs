using System.Net;

namespace Petrel.Ike.Sa;

/// <summary>
/// An IKE SA's places in the SA table's indexes (<see cref="IkeSaManager"/>: per connection, per peer address, and for a
/// responder by the peer's address and SPI), kept by the table; the SA tells it of transitions, moves and renames.
/// </summary>
internal sealed class IkeSaTableEntry(IkeSaManager table)
{
    public LinkedListNode<IkeSa>? ConnectionNode { get; set; }
    public LinkedListNode<IkeSa>? PeerNode { get; set; }

    /// <summary>A responder's key in the index by the peer's address and SPI (retransmitted IKE_SA_INIT).</summary>
    public (IPEndPoint Remote, ulong SpiI)? InitiatorKey { get; set; }

    public void StateChanged(IkeSa sa, IkeSaState from) => table.OnStateChanged(sa, from);
    public void RemoteChanged(IkeSa sa, IPEndPoint from) => table.OnRemoteChanged(sa, this, from);
    public void NameChanged(IkeSa sa, string from) => table.OnNameChanged(sa, this, from);
}

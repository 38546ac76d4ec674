namespace Petrel.Vici;

/// <summary>The first byte of every vici packet (strongSwan's vici README, "Packet layer").</summary>
public enum ViciPacketType : byte
{
    /// <summary>A named request message from the client.</summary>
    CmdRequest = 0,
    /// <summary>The unnamed response to a request.</summary>
    CmdResponse = 1,
    /// <summary>The server has no handler for the requested command.</summary>
    CmdUnknown = 2,
    /// <summary>The client asks for events of a name.</summary>
    EventRegister = 3,
    EventUnregister = 4,
    /// <summary>(Un)registration done.</summary>
    EventConfirm = 5,
    /// <summary>No event source of that name.</summary>
    EventUnknown = 6,
    /// <summary>A named event message from the server.</summary>
    Event = 7,
}

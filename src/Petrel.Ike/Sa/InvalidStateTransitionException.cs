namespace Petrel.Ike.Sa;

/// <summary>
/// A transition the state graph does not have: a bug in an exchange, never the peer's doing (peer input is
/// checked before any state changes). The engine's last-resort handlers log it and drop the message or timer.
/// </summary>
public sealed class InvalidStateTransitionException(string what, string from, string to)
    : InvalidOperationException($"{what}: {from} -> {to} is not a transition of the state graph")
{
    public string From { get; } = from;
    public string To { get; } = to;
}

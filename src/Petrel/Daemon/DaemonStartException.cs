namespace Petrel.Daemon;

/// <summary>The daemon cannot start (a port is taken, TUN cannot be created, …): one line for the user.</summary>
public sealed class DaemonStartException(string message, Exception? inner = null) : Exception(message, inner);

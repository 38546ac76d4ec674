namespace Petrel.Demo;

/// <summary>A demo step failed; the message says which and why, for one line on stderr.</summary>
internal sealed class DemoStepException(string message) : Exception(message);

namespace Petrel.Config;

/// <summary>One "key = value" of a settings file, with where it was written.</summary>
public sealed record SettingsEntry(string Key, string Value, string File, int Line);

namespace Petrel.Config;

/// <summary>One "key = value" of a settings file, with where it was written.</summary>
public sealed record SettingsEntry(string Key, string Value, string File, int Line);

/// <summary>One reference of "name : base1, base2 { … }": the absolute dotted name of a section, and where it was written.</summary>
public sealed record SettingsReference(string Name, string File, int Line);

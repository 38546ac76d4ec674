namespace Petrel.Vici;

/// <summary>The elements a vici message is a sequence of (strongSwan's vici README, "Message format").</summary>
public enum ViciElementType : byte
{
    /// <summary>1, name: opens a section in the current one.</summary>
    SectionStart = 1,
    /// <summary>2: closes the last opened section.</summary>
    SectionEnd = 2,
    /// <summary>3, name, 16-bit length, value.</summary>
    KeyValue = 3,
    /// <summary>4, name: opens a list; only items may follow until its end.</summary>
    ListStart = 4,
    /// <summary>5, 16-bit length, value.</summary>
    ListItem = 5,
    /// <summary>6: closes the open list.</summary>
    ListEnd = 6,
}

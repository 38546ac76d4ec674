using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// A matrix row as a theory argument: serializable so each row is its own discovered test case,
/// and shown by its full name (xunit cuts string arguments at 50 characters, not ToString()).
/// </summary>
public sealed class AlgorithmMatrixRow : IXunitSerializable
{
    public string Name { get; private set; } = "";

    [Obsolete("for xunit's deserialization only")]
    public AlgorithmMatrixRow() { }

    public AlgorithmMatrixRow(string name) => Name = name;

    public void Deserialize(IXunitSerializationInfo info) => Name = info.GetValue<string>("name");

    public void Serialize(IXunitSerializationInfo info) => info.AddValue("name", Name);

    public override string ToString() => Name;
}

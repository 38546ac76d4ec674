namespace Petrel.Fuzz.Targets;

/// <summary>
/// Every fuzz target, by name. Targets are made on demand: under afl-fuzz, instrumented Petrel code may run only
/// after SharpFuzz has attached the coverage map, so a target is created inside the fuzzing loop, never before it.
/// </summary>
public static class FuzzTargets
{
    private static readonly (string Name, Func<IFuzzTarget> Create)[] Factories =
    [
        ("ike", () => new IkeMessageTarget()),
        ("ike-sk", () => new IkeEncryptedTarget()),
        ("ike-fragment", () => new IkeFragmentTarget()),
        ("ikev1", () => new IkeV1Target()),
        ("esp", () => new EspTarget()),
        ("cert", () => new CertificateTarget()),
        ("swanctl", () => new SwanctlTarget()),
        ("control", () => new ControlRequestTarget()),
        ("vici", () => new ViciTarget()),
        ("radius", () => new RadiusTarget()),
        ("eap", () => new EapTarget()),
    ];

    public static IEnumerable<string> Names => Factories.Select(f => f.Name);

    public static IFuzzTarget? Create(string name) => Factories.FirstOrDefault(f => f.Name == name).Create?.Invoke();
}

using Petrel.Daemon;

namespace Petrel.Tests.Fuzz;

/// <summary>Each defect afl-fuzz found (fuzz/crashes/TARGET holds the inputs), pinned by name with the behaviour it must have now.</summary>
public class FuzzFindingTests
{
    /// <summary>fuzz/crashes/control/crash-ea669d611ea2ea66: a repeated member threw ArgumentException out of TryParse.</summary>
    [Fact]
    public void Control_request_with_a_repeated_member_is_refused_with_a_reason()
    {
        var request = ControlRequest.TryParse("""{"command":"up","child":"a","child":"b"}""", out string error);
        Assert.Null(request);
        Assert.StartsWith("request is not JSON: ", error);
        Assert.Contains("child", error);
    }
}

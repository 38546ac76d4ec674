using Microsoft.Extensions.Logging;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// What logging costs per IKE SA at the default level: a PSK setup writes two information lines on each side (the
/// IKE_SA and the CHILD_SA established) and nothing above debug otherwise; debug text is not even built when debug is off.
/// </summary>
public class LogCostTests
{
    private sealed class InfoOnly : ILogger
    {
        public int Written;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => Written++;
    }

    [Fact]
    public void Debug_text_is_neither_formatted_nor_evaluated_when_debug_is_off()
    {
        var logger = new InfoOnly();
        var log = new IkeLog(logger, new IkeCounters(), () => TimeSpan.Zero);
        int evaluated = 0;
        int Hole() => ++evaluated;

        log.Debug(null, $"hole {Hole()}");
        log.Drop(null, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 500), $"hole {Hole()}");

        Assert.Equal(0, evaluated);
        Assert.Equal(0, logger.Written);
    }

    [Fact]
    public void Debug_text_is_written_when_debug_is_on()
    {
        var recorded = new RecordingLoggerFactory("x");
        var log = new IkeLog(recorded, new IkeCounters(), () => TimeSpan.Zero);
        ulong spi = 0x1234;
        log.Debug(null, $"spi {spi:x16} and {"text"}");
        Assert.Equal("x Debug: -: spi 0000000000001234 and text", Assert.Single(recorded.Lines));
    }

    [Theory]
    [InlineData("aes128gcm16-prfsha256-ecp256")]
    [InlineData("aes128-sha256-modp2048")]
    public void A_psk_setup_writes_two_information_lines_per_side(string ike)
    {
        var f = ExchangeFixture.Create(ike: ike);
        Assert.True(f.Initiate()!.Success);

        foreach (var peer in new[] { f.Left, f.Right })
        {
            var above = peer.Log.Lines.Where(l => !l.Contains(" Debug: ", StringComparison.Ordinal)).ToList();
            Assert.True(above.Count == 2, string.Join("\n", above));
            Assert.Contains(above, l => l.Contains("Information:", StringComparison.Ordinal) && l.Contains("IKE_SA site[1] established between", StringComparison.Ordinal));
            Assert.Contains(above, l => l.Contains("Information:", StringComparison.Ordinal) && l.Contains("CHILD_SA net{1} established", StringComparison.Ordinal));
        }
    }
}

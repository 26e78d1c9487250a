using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RealHost.Tests;

public sealed class CoreToolsConsoleFormatterTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    [Fact]
    public void AMessageGetsAUtcTimestampInBrackets()
    {
        Assert.Equal("[2026-01-02T03:04:05.678Z] message" + Environment.NewLine, Format("message", null));
    }

    [Fact]
    public void TheTimestampIsInUtcWhateverTheClocksOffset()
    {
        var formatter = new CoreToolsConsoleFormatter { Clock = new FixedClock(new DateTimeOffset(2026, 1, 2, 12, 4, 5, 678, TimeSpan.FromHours(9))) };
        Assert.Equal("[2026-01-02T03:04:05.678Z] message" + Environment.NewLine, Write(formatter, "message", null));
    }

    [Fact]
    public void AnExceptionFollowsOnTheNextLines()
    {
        var error = new InvalidOperationException("it broke");

        Assert.Equal(
            "[2026-01-02T03:04:05.678Z] Failed" + Environment.NewLine + "System.InvalidOperationException: it broke" + Environment.NewLine,
            Format("Failed", error));
    }

    [Fact]
    public void AnExceptionWithoutAMessageIsStillWritten()
    {
        var error = new InvalidOperationException("it broke");

        Assert.Equal("[2026-01-02T03:04:05.678Z] " + Environment.NewLine + error + Environment.NewLine, Format("", error));
    }

    [Fact]
    public void AnEmptyMessageWithoutAnExceptionWritesNothing()
    {
        Assert.Equal("", Format("", null));
    }

    private static string Format(string message, Exception? exception) =>
        Write(new CoreToolsConsoleFormatter { Clock = new FixedClock(Now) }, message, exception);

    private static string Write(CoreToolsConsoleFormatter formatter, string message, Exception? exception)
    {
        using var output = new StringWriter();
        var entry = new LogEntry<string>(LogLevel.Information, "Host.Test", new EventId(1), message, exception, (state, _) => state);
        formatter.Write(in entry, scopeProvider: null, output);
        return output.ToString();
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
    }
}

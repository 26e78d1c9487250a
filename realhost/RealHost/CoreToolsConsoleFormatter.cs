using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace RealHost;

/// <summary>
/// Log lines in the shape Core Tools prints them, and the Node worker too: a UTC timestamp in
/// brackets, then the message; an exception follows on the next lines. The console provider sends
/// warnings and errors to stderr (<see cref="ConsoleLoggerOptions.LogToStandardErrorThreshold"/>).
/// </summary>
public sealed class CoreToolsConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "coreTools";

    /// <summary>The clock the timestamps come from; a test passes a fixed one.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null) return;
        textWriter.Write('[');
        textWriter.Write(Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write("] ");
        textWriter.Write(message);
        if (logEntry.Exception is not null)
        {
            textWriter.Write(Environment.NewLine);
            textWriter.Write(logEntry.Exception.ToString());
        }

        textWriter.Write(Environment.NewLine);
    }
}

/// <summary>Console logging for both of the host's parts: Core Tools' line shape, host.json's level filters.</summary>
public static class ConsoleLogging
{
    /// <summary>
    /// Categories Core Tools does not show at Information: the Azure SDK's request traces (one per
    /// storage call), ASP.NET Core's request and lifetime chatter, and WebJobs' dump of every
    /// options object at start. host.json can still lower these levels by naming the categories.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, LogLevel> QuietCategories = new Dictionary<string, LogLevel>
    {
        ["Azure"] = LogLevel.Warning,
        ["Microsoft.AspNetCore"] = LogLevel.Warning,
        ["Microsoft.Hosting"] = LogLevel.Warning,
        ["Microsoft.Extensions.Hosting"] = LogLevel.Warning,
        ["Microsoft.Azure.WebJobs.Hosting.OptionsLoggingService"] = LogLevel.Warning,
    };

    public static void Configure(ILoggingBuilder logging, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        logging.ClearProviders();
        foreach (var (category, level) in QuietCategories) logging.AddFilter(category, level);
        logging.AddConfiguration(AppConfiguration.LoggingSection(configuration));
        logging.AddConsole(options =>
        {
            options.FormatterName = CoreToolsConsoleFormatter.FormatterName;
            options.LogToStandardErrorThreshold = LogLevel.Warning;
        });
        logging.AddConsoleFormatter<CoreToolsConsoleFormatter, ConsoleFormatterOptions>();
    }
}

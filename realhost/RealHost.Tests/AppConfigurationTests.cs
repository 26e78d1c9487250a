using System.Globalization;
using System.Reflection;
using DurableTask.AzureStorage;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Host.Config;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RealHost.Tests;

public sealed class AppConfigurationTests
{
    private const string HostJson = """
        {
          // Comments are allowed, as the Functions host allows them.
          "version": "2.0",
          "functionTimeout": "00:05:00",
          /* A block comment. */
          "watchDirectories": ["lib", "shared"],
          "custom": { "since": "2026-01-02T03:04:05Z", "ratio": 0.5, "enabled": true, "count": 3 },
          "extensions": {
            "durableTask": {
              "hubName": "%TASKHUB_NAME%",
              "localRpcEndpointEnabled": false,
              "maxConcurrentOrchestratorFunctions": 5,
              "maxConcurrentActivityFunctions": 7,
              "storageProvider": { "type": "AzureStorage", "connectionName": "AzureWebJobsStorage", "partitionCount": 4 }
            }
          }
        }
        """;

    private const string LocalSettings = """
        {
          "IsEncrypted": false,
          "Values": {
            "AzureWebJobsStorage": "UseDevelopmentStorage=true",
            "FUNCTIONS_WORKER_RUNTIME": "node",
            "TASKHUB_NAME": "FromValues"
          }
        }
        """;

    private const string PartitionCountVariable = "AzureFunctionsJobHost__extensions__durableTask__storageProvider__partitionCount";

    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Fact]
    public void HostJsonIsFlattenedUnderTheJobHostSection()
    {
        using var app = App(HostJson, LocalSettings);
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE"); // a decimal comma, were the culture used
        AppConfiguration settings;
        try
        {
            settings = AppConfiguration.Load(app.Path, NoEnvironment);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        var expected = new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:version"] = "2.0",
            ["AzureFunctionsJobHost:functionTimeout"] = "00:05:00",
            ["AzureFunctionsJobHost:watchDirectories:0"] = "lib",
            ["AzureFunctionsJobHost:watchDirectories:1"] = "shared",
            ["AzureFunctionsJobHost:custom:since"] = "2026-01-02T03:04:05Z",
            ["AzureFunctionsJobHost:custom:ratio"] = "0.5",
            ["AzureFunctionsJobHost:custom:enabled"] = "True",
            ["AzureFunctionsJobHost:custom:count"] = "3",
            ["AzureFunctionsJobHost:extensions:durableTask:hubName"] = "%TASKHUB_NAME%",
            ["AzureFunctionsJobHost:extensions:durableTask:localRpcEndpointEnabled"] = "False",
            ["AzureFunctionsJobHost:extensions:durableTask:maxConcurrentOrchestratorFunctions"] = "5",
            ["AzureFunctionsJobHost:extensions:durableTask:maxConcurrentActivityFunctions"] = "7",
            ["AzureFunctionsJobHost:extensions:durableTask:storageProvider:type"] = "AzureStorage",
            ["AzureFunctionsJobHost:extensions:durableTask:storageProvider:connectionName"] = "AzureWebJobsStorage",
            ["AzureFunctionsJobHost:extensions:durableTask:storageProvider:partitionCount"] = "4",
        };
        Assert.Equal(expected.OrderBy(pair => pair.Key, StringComparer.Ordinal), settings.HostJson.OrderBy(pair => pair.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void BuildGivesTheFunctionsHostLayout()
    {
        using var app = App(HostJson, LocalSettings);
        var configuration = AppConfiguration.Load(app.Path, NoEnvironment).Build();

        Assert.Equal("AzureFunctionsJobHost", configuration["AzureWebJobsConfigurationSection"]);
        Assert.Equal("%TASKHUB_NAME%", configuration["AzureFunctionsJobHost:extensions:durableTask:hubName"]);
        Assert.Equal("00:05:00", configuration["AzureFunctionsJobHost:functionTimeout"]);
        Assert.Equal("FromValues", configuration["TASKHUB_NAME"]);
        Assert.Equal("UseDevelopmentStorage=true", configuration["AzureWebJobsStorage"]);
        Assert.Equal("node", configuration["FUNCTIONS_WORKER_RUNTIME"]);
    }

    [Fact]
    public void AnEnvironmentVariableWinsOverAValuesEntry()
    {
        using var app = App(HostJson, LocalSettings);
        var settings = AppConfiguration.Load(app.Path, new Dictionary<string, string> { ["TASKHUB_NAME"] = "FromEnvironment", ["OTHER"] = "x" });

        Assert.Equal("FromEnvironment", settings.AppSettings["TASKHUB_NAME"]);
        Assert.Equal("x", settings.AppSettings["OTHER"]);
        Assert.Equal(["TASKHUB_NAME"], settings.SettingsOverriddenByEnvironment);
        Assert.Equal("FromEnvironment", settings.Build()["TASKHUB_NAME"]);
    }

    [Fact]
    public void NothingIsOverriddenWhenTheEnvironmentSetsNoValuesEntry()
    {
        using var app = App(HostJson, LocalSettings);
        var settings = AppConfiguration.Load(app.Path, new Dictionary<string, string> { ["OTHER"] = "x" });

        Assert.Empty(settings.SettingsOverriddenByEnvironment);
        Assert.Equal("FromValues", settings.AppSettings["TASKHUB_NAME"]);
    }

    [Fact]
    public void AnEnvironmentVariableOverridesHostJsonInTheBuiltConfiguration()
    {
        using var app = App(HostJson, LocalSettings);
        var settings = AppConfiguration.Load(app.Path, new Dictionary<string, string> { [PartitionCountVariable] = "8" });

        Assert.Equal("4", settings.HostJson["AzureFunctionsJobHost:extensions:durableTask:storageProvider:partitionCount"]);
        Assert.Equal("8", settings.Build()["AzureFunctionsJobHost:extensions:durableTask:storageProvider:partitionCount"]);
    }

    [Fact]
    public void NonStringValuesBecomeTheirJsonTextAndNullsAreSkipped()
    {
        using var app = App(HostJson, """{ "Values": { "Count": 42, "Ratio": 1.5, "Enabled": true, "Nothing": null } }""");
        var settings = AppConfiguration.Load(app.Path, NoEnvironment);

        Assert.Equal("42", settings.AppSettings["Count"]);
        Assert.Equal("1.5", settings.AppSettings["Ratio"]);
        Assert.Equal("true", settings.AppSettings["Enabled"]);
        Assert.False(settings.AppSettings.ContainsKey("Nothing"));
    }

    [Theory]
    [InlineData("""{ "Values": { "Nested": { "a": 1 } } }""", "Values.Nested must be a string, not an object")]
    [InlineData("""{ "Values": { "List": [1, 2] } }""", "Values.List must be a string, not an array")]
    public void ObjectAndArrayValuesAreRejected(string localSettings, string expectedMessagePart)
    {
        using var app = App(HostJson, localSettings);
        var error = Assert.Throws<ConfigurationException>(() => AppConfiguration.Load(app.Path, NoEnvironment));
        Assert.Contains(expectedMessagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EncryptedLocalSettingsAreRejected()
    {
        using var app = App(HostJson, """{ "IsEncrypted": true, "Values": { "A": "b" } }""");
        var error = Assert.Throws<ConfigurationException>(() => AppConfiguration.Load(app.Path, NoEnvironment));
        Assert.Contains("IsEncrypted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LocalSettingsAreOptional()
    {
        using var app = App(HostJson, localSettings: null);
        var settings = AppConfiguration.Load(app.Path, new Dictionary<string, string> { ["A"] = "b" });

        Assert.Equal(new Dictionary<string, string> { ["A"] = "b", ["FUNCTIONS_WORKER_RUNTIME"] = "node" }, settings.AppSettings);
        Assert.Null(settings.LocalHttpPort);
    }

    [Fact]
    public void AMissingHostJsonIsRejected()
    {
        using var app = new TempFolder();
        app.Write("local.settings.json", LocalSettings);
        var error = Assert.Throws<ConfigurationException>(() => AppConfiguration.Load(app.Path, NoEnvironment));
        Assert.Contains("host.json", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "version": "1.0" }""")]
    [InlineData("""{ "version": 2.0 }""")]
    [InlineData("""{ "logging": {} }""")]
    public void AHostJsonWithoutVersion2IsRejected(string hostJson)
    {
        using var app = App(hostJson, LocalSettings);
        var error = Assert.Throws<ConfigurationException>(() => AppConfiguration.Load(app.Path, NoEnvironment));
        Assert.Contains("\"version\": \"2.0\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidJsonIsRejected()
    {
        using var app = App("{ \"version\": \"2.0\", ", LocalSettings);
        var error = Assert.Throws<ConfigurationException>(() => AppConfiguration.Load(app.Path, NoEnvironment));
        Assert.Contains("is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheWorkerRuntimeDefaultsToNode()
    {
        using var app = App(HostJson, """{ "Values": { "A": "b" } }""");
        Assert.Equal("node", AppConfiguration.Load(app.Path, NoEnvironment).AppSettings["FUNCTIONS_WORKER_RUNTIME"]);
    }

    [Fact]
    public void AnotherWorkerRuntimeInValuesIsRejected()
    {
        using var app = App(HostJson, """{ "Values": { "FUNCTIONS_WORKER_RUNTIME": "python" } }""");
        var error = Assert.Throws<ConfigurationException>(() => AppConfiguration.Load(app.Path, NoEnvironment));
        Assert.Contains("\"python\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherWorkerRuntimeInTheEnvironmentIsRejected()
    {
        using var app = App(HostJson, LocalSettings);
        Assert.Throws<ConfigurationException>(() => AppConfiguration.Load(app.Path, new Dictionary<string, string> { ["FUNCTIONS_WORKER_RUNTIME"] = "python" }));
    }

    [Fact]
    public void ContainerNameFromTheEnvironmentIsNotAnAppSetting()
    {
        using var app = App(HostJson, LocalSettings);
        var settings = AppConfiguration.Load(app.Path, new Dictionary<string, string> { ["CONTAINER_NAME"] = "some-container", ["HOME"] = "/home/x" });

        Assert.False(settings.AppSettings.ContainsKey("CONTAINER_NAME"));
        Assert.Null(settings.Build()["CONTAINER_NAME"]);
        Assert.Equal("/home/x", settings.AppSettings["HOME"]);
    }

    [Fact]
    public void TheLocalHttpPortIsRead()
    {
        using var app = App(HostJson, """{ "Values": {}, "Host": { "LocalHttpPort": 7072 } }""");
        Assert.Equal(7072, AppConfiguration.Load(app.Path, NoEnvironment).LocalHttpPort);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("65536")]
    [InlineData("\"abc\"")]
    [InlineData("70.5")]
    public void AnInvalidLocalHttpPortIsRejected(string port)
    {
        using var app = App(HostJson, $$"""{ "Values": {}, "Host": { "LocalHttpPort": {{port}} } }""");
        var error = Assert.Throws<ConfigurationException>(() => AppConfiguration.Load(app.Path, NoEnvironment));
        Assert.Contains("Host.LocalHttpPort", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The Durable extension's options, bound by WebJobs from the built configuration, before the extension exists.</summary>
    [Fact]
    public void TheDurableOptionsBindFromHostJson()
    {
        using var app = App(HostJson, LocalSettings);
        using var host = JobHosts.Build(AppConfiguration.Load(app.Path, NoEnvironment).Build());
        var options = host.Services.GetRequiredService<IOptions<DurableTaskOptions>>().Value;

        // As bound: the binder leaves %NAME% alone; the extension resolves it (next test).
        Assert.Equal("%TASKHUB_NAME%", options.HubName);
        Assert.Equal(5, options.MaxConcurrentOrchestratorFunctions);
        Assert.Equal(7, options.MaxConcurrentActivityFunctions);
        Assert.False(options.LocalRpcEndpointEnabled);
        Assert.Equal("AzureStorage", options.StorageProvider["type"]);
        Assert.Equal("4", options.StorageProvider["partitionCount"]);
    }

    /// <summary>
    /// The extension's constructor resolves a %NAME% hub name through the host's INameResolver
    /// (DurableTaskOptions.ResolveAppSettingOptions), in the options object itself, and builds its
    /// Azure Storage engine from the options then: the values the engine runs with.
    /// </summary>
    [Fact]
    public void TheExtensionRunsWithTheResolvedHubNameAndHostJsonSettings()
    {
        using var app = App(HostJson, LocalSettings);
        using var host = JobHosts.Build(AppConfiguration.Load(app.Path, NoEnvironment).Build());
        var options = host.Services.GetRequiredService<IOptions<DurableTaskOptions>>().Value;
        var extension = host.Services.GetServices<IExtensionConfigProvider>().OfType<DurableTaskExtension>().Single();

        Assert.Equal("FromValues", options.HubName);
        var provider = DefaultDurabilityProvider(extension);
        var engine = FieldOfType<AzureStorageOrchestrationServiceSettings>(FieldOfType<AzureStorageOrchestrationService>(provider));
        Assert.Equal("FromValues", engine.TaskHubName);
        Assert.Equal(4, engine.PartitionCount);
        Assert.Equal(5, provider.MaxConcurrentTaskOrchestrationWorkItems);
        Assert.Equal(7, provider.MaxConcurrentTaskActivityWorkItems);
    }

    [Fact]
    public void TheEnvironmentOverridesReachTheExtension()
    {
        using var app = App(HostJson, LocalSettings);
        var environment = new Dictionary<string, string> { [PartitionCountVariable] = "8", ["TASKHUB_NAME"] = "FromEnvironment" };
        using var host = JobHosts.Build(AppConfiguration.Load(app.Path, environment).Build());
        var options = host.Services.GetRequiredService<IOptions<DurableTaskOptions>>().Value;
        Assert.Equal("8", options.StorageProvider["partitionCount"]);

        var extension = host.Services.GetServices<IExtensionConfigProvider>().OfType<DurableTaskExtension>().Single();
        var engine = FieldOfType<AzureStorageOrchestrationServiceSettings>(FieldOfType<AzureStorageOrchestrationService>(DefaultDurabilityProvider(extension)));
        Assert.Equal("FromEnvironment", engine.TaskHubName);
        Assert.Equal(8, engine.PartitionCount);
    }

    private static TempFolder App(string hostJson, string? localSettings)
    {
        var app = new TempFolder();
        app.Write("host.json", hostJson);
        if (localSettings is not null) app.Write("local.settings.json", localSettings);
        return app;
    }

    /// <summary>The extension's internal <c>DefaultDurabilityProvider</c>: the engine its task hub worker runs on.</summary>
    private static DurabilityProvider DefaultDurabilityProvider(DurableTaskExtension extension)
    {
        var property = typeof(DurableTaskExtension).GetProperty("DefaultDurabilityProvider", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("DurableTaskExtension has no DefaultDurabilityProvider property.");
        return (DurabilityProvider)property.GetValue(extension)!;
    }

    /// <summary>The one field of type <typeparamref name="T"/> in <paramref name="owner"/> or its base types.</summary>
    private static T FieldOfType<T>(object owner)
    {
        for (var type = owner.GetType(); type is not null; type = type.BaseType)
        {
            var fields = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(field => field.FieldType == typeof(T))
                .ToList();
            if (fields.Count == 1) return (T)fields[0].GetValue(owner)!;
            if (fields.Count > 1) throw new InvalidOperationException($"{type} has {fields.Count} fields of type {typeof(T)}.");
        }

        throw new InvalidOperationException($"{owner.GetType()} has no field of type {typeof(T)}.");
    }
}

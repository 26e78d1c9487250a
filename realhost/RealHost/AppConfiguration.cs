using System.Globalization;
using Microsoft.Extensions.Configuration;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RealHost;

/// <summary>
/// The app's settings as the Functions host reads them under Core Tools: host.json under the
/// <c>AzureFunctionsJobHost</c> section (where the WebJobs SDK binds each extension's options, so
/// <c>extensions.durableTask</c> becomes the Durable extension's options), then local.settings.json
/// <c>Values</c>, then environment variables, which win over both.
/// </summary>
public sealed class AppConfiguration
{
    /// <summary>The section the Functions host puts host.json under; WebJobs reads it from <c>AzureWebJobsConfigurationSection</c>.</summary>
    public const string JobHostSection = "AzureFunctionsJobHost";

    /// <summary>
    /// Set by container runtimes (this machine's among them), it makes the extension believe it
    /// runs on Azure's Linux Consumption plan and echo its telemetry to stdout as
    /// MS_DURABLE_FUNCTION_EVENTS_LOGS lines. A local host is never that plan.
    /// </summary>
    public static readonly IReadOnlyList<string> AzurePlatformVariables = ["CONTAINER_NAME"];

    private static readonly JsonLoadSettings JsonWithComments = new() { CommentHandling = CommentHandling.Ignore };

    private AppConfiguration(
        string appRoot,
        IReadOnlyDictionary<string, string?> hostJson,
        IReadOnlyDictionary<string, string> appSettings,
        IReadOnlyList<string> settingsOverridden,
        int? localHttpPort)
    {
        AppRoot = appRoot;
        HostJson = hostJson;
        AppSettings = appSettings;
        SettingsOverriddenByEnvironment = settingsOverridden;
        LocalHttpPort = localHttpPort;
    }

    public string AppRoot { get; }

    /// <summary>host.json flattened into configuration keys under <see cref="JobHostSection"/>.</summary>
    public IReadOnlyDictionary<string, string?> HostJson { get; }

    /// <summary>The environment with local.settings.json Values added where it has none: what the app and the worker see.</summary>
    public IReadOnlyDictionary<string, string> AppSettings { get; }

    /// <summary>Values that the environment already sets (Core Tools warns about each and keeps the environment's).</summary>
    public IReadOnlyList<string> SettingsOverriddenByEnvironment { get; }

    /// <summary>local.settings.json <c>Host.LocalHttpPort</c>, when set.</summary>
    public int? LocalHttpPort { get; }

    /// <summary>Reads host.json (required) and local.settings.json (optional) in <paramref name="appRoot"/>.</summary>
    public static AppConfiguration Load(string appRoot, IReadOnlyDictionary<string, string> environment)
    {
        var hostJson = ReadJsonObject(Path.Combine(appRoot, "host.json"), required: true)!;
        if ((string?)hostJson["version"] != "2.0")
        {
            throw new ConfigurationException($"host.json must have \"version\": \"2.0\" (found {hostJson["version"]?.ToString(Formatting.None) ?? "nothing"}).");
        }

        var local = ReadJsonObject(Path.Combine(appRoot, "local.settings.json"), required: false) ?? new JObject();
        if (local.Value<bool?>("IsEncrypted") == true)
        {
            throw new ConfigurationException("local.settings.json is encrypted (IsEncrypted: true); decrypt it with `func settings decrypt`.");
        }

        var settings = environment
            .Where(pair => !AzurePlatformVariables.Contains(pair.Key))
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        var overridden = new List<string>();
        foreach (var (name, value) in LocalValues(local))
        {
            if (settings.ContainsKey(name)) overridden.Add(name);
            else settings[name] = value;
        }

        var runtime = settings.GetValueOrDefault("FUNCTIONS_WORKER_RUNTIME");
        if (string.IsNullOrEmpty(runtime)) settings["FUNCTIONS_WORKER_RUNTIME"] = "node";
        else if (!string.Equals(runtime, "node", StringComparison.OrdinalIgnoreCase))
        {
            throw new ConfigurationException($"FUNCTIONS_WORKER_RUNTIME is \"{runtime}\"; this host runs Node.js apps only (\"node\").");
        }

        return new AppConfiguration(
            Path.GetFullPath(appRoot),
            Flatten(hostJson, JobHostSection),
            settings,
            overridden,
            LocalHttpPortOf(local));
    }

    /// <summary>The configuration the WebJobs host and the extension read, in the Functions host's layout.</summary>
    public IConfiguration Build()
    {
        var layout = new Dictionary<string, string?>(HostJson, StringComparer.OrdinalIgnoreCase)
        {
            ["AzureWebJobsConfigurationSection"] = JobHostSection,
        };
        return new ConfigurationBuilder()
            .AddInMemoryCollection(layout)
            .AddInMemoryCollection(AppSettings.Select(pair => KeyValuePair.Create(ConfigurationKey(pair.Key), (string?)pair.Value)))
            .Build();
    }

    /// <summary>host.json's <c>logging</c> section, whose <c>logLevel</c> filters every log category by prefix.</summary>
    public static IConfigurationSection LoggingSection(IConfiguration configuration) => configuration.GetSection($"{JobHostSection}:logging");

    /// <summary>As the .NET environment-variables provider maps them: <c>A__B</c> is the key <c>A:B</c>.</summary>
    private static string ConfigurationKey(string variable) => variable.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);

    private static IEnumerable<(string Name, string Value)> LocalValues(JObject local)
    {
        if (local["Values"] is not JObject values) yield break;
        foreach (var property in values.Properties())
        {
            switch (property.Value.Type)
            {
                case JTokenType.Null:
                    continue;
                case JTokenType.Object or JTokenType.Array:
                    throw new ConfigurationException($"local.settings.json Values.{property.Name} must be a string, not {(property.Value.Type == JTokenType.Array ? "an array" : "an object")}.");
                case JTokenType.String:
                    yield return (property.Name, (string)property.Value!);
                    break;
                default:
                    yield return (property.Name, property.Value.ToString(Formatting.None));
                    break;
            }
        }
    }

    private static int? LocalHttpPortOf(JObject local)
    {
        var token = local.SelectToken("Host.LocalHttpPort");
        if (token is null || token.Type == JTokenType.Null) return null;
        if (int.TryParse(token.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535) return port;
        throw new ConfigurationException($"local.settings.json Host.LocalHttpPort must be a port number from 1 to 65535 (found {token.ToString(Formatting.None)}).");
    }

    /// <summary>A JSON object as configuration keys: nested names joined with ':', array items by index.</summary>
    internal static IReadOnlyDictionary<string, string?> Flatten(JObject json, string prefix)
    {
        var keys = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        void Visit(JToken token, string path)
        {
            switch (token)
            {
                case JObject obj:
                    foreach (var property in obj.Properties()) Visit(property.Value, ConfigurationPath.Combine(path, property.Name));
                    break;
                case JArray array:
                    for (var index = 0; index < array.Count; index++) Visit(array[index], ConfigurationPath.Combine(path, index.ToString(CultureInfo.InvariantCulture)));
                    break;
                case JValue { Value: null }:
                    keys[path] = null;
                    break;
                case JValue value:
                    keys[path] = Convert.ToString(value.Value, CultureInfo.InvariantCulture);
                    break;
            }
        }

        Visit(json, prefix);
        return keys;
    }

    /// <summary>The host reads these files with Json.NET: comments allowed, dates left as text.</summary>
    private static JObject? ReadJsonObject(string file, bool required)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (FileNotFoundException) when (!required)
        {
            return null;
        }
        catch (IOException error)
        {
            throw new ConfigurationException($"Cannot read {file}: {error.Message}");
        }

        try
        {
            using var reader = new JsonTextReader(new StringReader(text)) { DateParseHandling = DateParseHandling.None };
            return JToken.ReadFrom(reader, JsonWithComments) as JObject
                ?? throw new ConfigurationException($"{file} must hold a JSON object.");
        }
        catch (JsonReaderException error)
        {
            throw new ConfigurationException($"{file} is not valid JSON: {error.Message}");
        }
    }
}

/// <summary>A settings problem the user must fix; the host prints its message alone and exits.</summary>
public sealed class ConfigurationException(string message) : Exception(message);

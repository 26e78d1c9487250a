using System.Reflection;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Host.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RealHost;

/// <summary>
/// The startup sequence and lifetime of the three parts: the Node.js worker (the app's code), the
/// WebJobs host with the real Durable extension (the engine, its local RPC endpoint and built-in
/// API), and the front door that serves both on one port.
/// </summary>
public sealed class RealExtensionHost : IAsyncDisposable
{
    /// <summary>
    /// How long a stop waits for the extension to release its partition leases. Ctrl-C in a
    /// terminal stops Azurite at the same moment, and the extension then retries its partition
    /// table every two seconds without end; what it leaves is taken over at the next start.
    /// </summary>
    private static readonly TimeSpan JobHostStopTimeout = TimeSpan.FromSeconds(5);

    private readonly NodeWorker worker;
    private readonly FrontDoor frontDoor;
    private readonly IHost jobHost;
    private readonly ILoggerFactory hostLogs;
    private readonly ILogger logger;

    private RealExtensionHost(NodeWorker worker, FrontDoor frontDoor, IHost jobHost, ILoggerFactory hostLogs, ILogger logger)
    {
        this.worker = worker;
        this.frontDoor = frontDoor;
        this.jobHost = jobHost;
        this.hostLogs = hostLogs;
        this.logger = logger;
    }

    public int Port => frontDoor.Port;

    /// <summary>Completes if the worker exits while the host runs: the app's code is gone, so the host must stop.</summary>
    public Task WorkerExited => worker.Exited;

    /// <summary>"Durable extension 3.19.0, DurableTask.Core 3.11.2, …": what runs, for the banner.</summary>
    public static string EngineVersions() => string.Join(", ", new[]
    {
        ("Durable extension", typeof(DurableTaskExtension).Assembly),
        ("DurableTask.Core", typeof(DurableTask.Core.TaskOrchestration).Assembly),
        ("DurableTask.AzureStorage", typeof(DurableTask.AzureStorage.AzureStorageOrchestrationService).Assembly),
        ("WebJobs", typeof(JobHost).Assembly),
    }.Select(part => $"{part.Item1} {VersionOf(part.Item2)}"));

    public static async Task<RealExtensionHost> StartAsync(CommandLine options, AppConfiguration settings, CancellationToken cancellationToken)
    {
        var configuration = settings.Build();
        void ConfigureLogging(ILoggingBuilder logging) => ConsoleLogging.Configure(logging, configuration);
        var hostLogs = LoggerFactory.Create(ConfigureLogging);
        var logger = hostLogs.CreateLogger("Host.General");
        foreach (var name in settings.SettingsOverriddenByEnvironment)
        {
            logger.LogWarning("Skipping '{Name}' from local.settings.json: it is set in the environment, whose value wins.", name);
        }

        NodeWorker? worker = null;
        FrontDoor? frontDoor = null;
        IHost? jobHost = null;
        try
        {
            worker = await NodeWorker.StartAsync(options.Node, options.ResolveWorkerScript(), settings.AppRoot, settings.AppSettings, cancellationToken).ConfigureAwait(false);
            var (functions, routePrefix) = await worker.ListFunctionsAsync(cancellationToken).ConfigureAwait(false);
            foreach (var unsupported in functions.Where(fn => fn.TriggerType != "httpTrigger" && !FunctionEmitter.DurableTriggerTypes.Contains(fn.TriggerType)))
            {
                logger.LogWarning("The '{Name}' function has a {Trigger}, which this host does not run; only HTTP and durable triggers are supported.", unsupported.Name, unsupported.TriggerType);
            }

            frontDoor = await FrontDoor.StartAsync(options.Port ?? settings.LocalHttpPort ?? 7071, ConfigureLogging, cancellationToken).ConfigureAwait(false);
            var port = frontDoor.Port;
            var functionsType = FunctionEmitter.EmitFunctionsType(functions);
            jobHost = DurableJobHost.Build(configuration, ConfigureLogging, port, functionsType, typeof(DurableClientBinding));
            WorkerBridge.Attach(worker, options.TracePayloads ? hostLogs.CreateLogger("Host.Payloads") : null);
            await jobHost.StartAsync(cancellationToken).ConfigureAwait(false);

            var durableClient = await DurableClientBinding.ReadAsync(jobHost.Services.GetRequiredService<IJobHost>(), cancellationToken).ConfigureAwait(false);
            await worker.ConfigureAsync(durableClient, $"localhost:{port}", cancellationToken).ConfigureAwait(false);
            var extension = jobHost.Services.GetServices<IExtensionConfigProvider>().OfType<DurableTaskExtension>().Single();
            frontDoor.Open(extension, worker.Port);
            Console.Out.WriteLine();
            Console.Out.WriteLine(FunctionList.Describe(functions, routePrefix, port));
            return new RealExtensionHost(worker, frontDoor, jobHost, hostLogs, logger);
        }
        catch
        {
            if (frontDoor is not null) await frontDoor.DisposeAsync().ConfigureAwait(false);
            jobHost?.Dispose();
            if (worker is not null) await worker.DisposeAsync().ConfigureAwait(false);
            hostLogs.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Stops taking requests, lets the extension finish and release its leases (bounded), then
    /// stops the worker, which runs the app's terminate hooks.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await frontDoor.DisposeAsync().ConfigureAwait(false);
        try
        {
            // The extension does not give up when the token is cancelled, so the wait is bounded here.
            await jobHost.StopAsync(CancellationToken.None).WaitAsync(JobHostStopTimeout).ConfigureAwait(false);
            jobHost.Dispose();
        }
        catch (TimeoutException)
        {
            logger.LogWarning("The Durable extension took over {Seconds} s to stop; unfinished work resumes at the next start.", JobHostStopTimeout.TotalSeconds);
        }

        await worker.DisposeAsync().ConfigureAwait(false);
        logger.LogInformation("The real-extension host has stopped.");
        hostLogs.Dispose();
    }

    private static string VersionOf(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "?";
        var metadata = version.IndexOf('+', StringComparison.Ordinal);
        return metadata < 0 ? version : version[..metadata];
    }
}

/// <summary>The function list Core Tools prints at start: HTTP routes with their methods, other triggers by type.</summary>
public static class FunctionList
{
    public static string Describe(IEnumerable<WorkerFunction> functions, string routePrefix, int port)
    {
        var prefix = routePrefix.Length == 0 ? "" : routePrefix + "/";
        var lines = functions.Select(fn => fn.TriggerType == "httpTrigger"
            ? $"\t{fn.Name}: [{string.Join(',', fn.Methods ?? ["GET", "POST"])}] http://localhost:{port}/{prefix}{fn.Route ?? fn.Name}"
            : $"\t{fn.Name}: {fn.TriggerType}");
        return $"Functions:\n\n{string.Join("\n\n", lines)}\n";
    }
}

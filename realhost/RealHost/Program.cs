using System.Runtime.InteropServices;
using RealHost;

// The extension blocks a thread on each out-of-process orchestrator episode while the worker runs
// it; a pool that starts with one thread per core would add threads only slowly under a burst.
ThreadPool.GetMinThreads(out var workerThreads, out var ioThreads);
ThreadPool.SetMinThreads(Math.Max(workerThreads, 32), Math.Max(ioThreads, 32));

CommandLine options;
try
{
    options = CommandLine.Parse(args, Environment.CurrentDirectory);
}
catch (UsageException error)
{
    Console.Error.WriteLine($"{error.Message}\n\n{CommandLine.Usage}");
    return 1;
}

if (options.Help)
{
    Console.Out.WriteLine(CommandLine.Usage);
    return 0;
}

foreach (var name in AppConfiguration.AzurePlatformVariables) Environment.SetEnvironmentVariable(name, null);

using var stop = new CancellationTokenSource();
var firstSignal = 0L;
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    // A second Ctrl-C means "do not wait". One within a second is the same Ctrl-C arriving twice:
    // from the terminal to the whole process group, and forwarded by npm start.
    var now = Environment.TickCount64;
    if (Interlocked.CompareExchange(ref firstSignal, now, 0) != 0)
    {
        if (now - Interlocked.Read(ref firstSignal) > 1000) Environment.Exit(130);
        return;
    }

    stop.Cancel();
}

using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

RealExtensionHost host;
try
{
    var settings = AppConfiguration.Load(options.AppRoot, Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
        .ToDictionary(entry => (string)entry.Key, entry => (string?)entry.Value ?? ""));
    host = await RealExtensionHost.StartAsync(options, settings, stop.Token);
}
catch (ConfigurationException error)
{
    Console.Error.WriteLine(error.Message);
    return 1;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return 130;
}
catch (Exception error)
{
    Console.Error.WriteLine($"The host could not start: {error}");
    return 1;
}

Console.Out.WriteLine($"Local durable host listening on http://127.0.0.1:{host.Port} (real extension: {RealExtensionHost.EngineVersions()})");

var workerExited = host.WorkerExited;
await Task.WhenAny(workerExited, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
var exitCode = workerExited.IsCompleted && !stop.IsCancellationRequested ? 1 : 0;
if (exitCode != 0) Console.Error.WriteLine("The Node.js worker exited; the host stops with it.");
await host.DisposeAsync();
return exitCode;

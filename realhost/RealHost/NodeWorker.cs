using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RealHost;

/// <summary>A function the app registered, as the worker lists it.</summary>
public sealed record WorkerFunction(string Name, string TriggerType, string? Route, IReadOnlyList<string>? Methods);

/// <summary>
/// The Node.js worker that runs the app's code (devhost/worker): started with the app's settings
/// as its environment, reached over HTTP on 127.0.0.1 with a per-process token, and holding this
/// process's end of its stdin, so that it exits when this host does, however this host ends.
/// </summary>
public sealed class NodeWorker : IAsyncDisposable
{
    private const string ReadyPrefix = "realhost-worker ready ";
    private const string TokenHeader = "x-realhost-worker-token";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(8);

    private readonly Process process;
    private readonly HttpClient client;
    private readonly TaskCompletionSource exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeWorker(Process process, int port, string token)
    {
        this.process = process;
        Port = port;
        client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseProxy = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/__worker/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.Add(TokenHeader, token);
    }

    /// <summary>The port of the worker's HTTP server, which serves the app's HTTP triggers.</summary>
    public int Port { get; }

    /// <summary>Completes when the worker process has exited, for whatever reason.</summary>
    public Task Exited => exited.Task;

    public static async Task<NodeWorker> StartAsync(string node, string workerScript, string appRoot, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = appRoot,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(workerScript);
        start.ArgumentList.Add("--app-root");
        start.ArgumentList.Add(appRoot);
        start.Environment.Clear();
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.Environment["REALHOST_WORKER_TOKEN"] = token;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null) return;
            if (!ready.Task.IsCompleted && line.Data.StartsWith(ReadyPrefix, StringComparison.Ordinal))
            {
                ready.TrySetResult(JObject.Parse(line.Data[ReadyPrefix.Length..]).Value<int>("port"));
                return;
            }

            Console.Out.WriteLine(line.Data);
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null) Console.Error.WriteLine(line.Data);
        };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            throw new ConfigurationException($"Node.js could not be started ({node}: {error.Message}). Install Node.js 20 or later, or pass --node <path>.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"The Node.js worker exited (code {process.ExitCode}) before it was ready; its output is above."));

        try
        {
            var port = await ready.Task.WaitAsync(ReadyTimeout, cancellationToken).ConfigureAwait(false);
            var worker = new NodeWorker(process, port, token);
            process.Exited += (_, _) => worker.exited.TrySetResult();
            if (process.HasExited) worker.exited.TrySetResult();
            return worker;
        }
        catch
        {
            KillQuietly(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>The app's functions, and host.json's HTTP route prefix.</summary>
    public async Task<(IReadOnlyList<WorkerFunction> Functions, string RoutePrefix)> ListFunctionsAsync(CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync("functions", cancellationToken).ConfigureAwait(false);
        var body = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        var functions = body["functions"]?.ToObject<List<WorkerFunction>>() ?? [];
        return (functions, body.Value<string>("routePrefix") ?? "api");
    }

    /// <summary>Hands the worker the extension's durableClient binding data and the front door's host name.</summary>
    public async Task ConfigureAsync(JObject durableClient, string websiteHostname, CancellationToken cancellationToken)
    {
        var body = new JObject { ["durableClient"] = durableClient, ["websiteHostname"] = websiteHostname };
        using var response = await client.PostAsync("configure", JsonContent(body), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await UnexpectedAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a durable function with the trigger value the extension bound; returns the raw reply body.</summary>
    public async Task<JObject> InvokeAsync(string functionName, string payload, CancellationToken cancellationToken)
    {
        var body = new JObject { ["name"] = functionName, ["payload"] = payload };
        using var response = await client.PostAsync("invoke", JsonContent(body), cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the worker's stdin, which it takes as the signal to stop; kills it if it does not exit in time.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }

        try
        {
            await Exited.WaitAsync(StopTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            KillQuietly(process);
        }

        client.Dispose();
        process.Dispose();
    }

    private static StringContent JsonContent(JObject body) =>
        new(body.ToString(Formatting.None), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    private static async Task<JObject> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode) throw await UnexpectedAsync(response, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new JsonTextReader(new StringReader(text)) { DateParseHandling = DateParseHandling.None };
        return JObject.Load(reader);
    }

    private static async Task<Exception> UnexpectedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return new InvalidOperationException($"The Node.js worker answered {(int)response.StatusCode} to {response.RequestMessage?.RequestUri}: {text}");
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }
}

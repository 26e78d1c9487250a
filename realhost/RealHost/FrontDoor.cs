using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RealHost;

/// <summary>
/// The host's HTTP endpoint on 127.0.0.1, as <c>func start</c> serves on 7071: the Durable
/// built-in API under <c>/runtime/webhooks/durabletask/</c> answered by the extension's own
/// handler, <c>/admin/host/status</c>, and every other request passed unchanged (method, target,
/// headers including Host, body) to the worker, whose HTTP server routes it to the app's HTTP
/// triggers. Until <see cref="Open"/> it answers 503.
/// </summary>
public sealed class FrontDoor : IAsyncDisposable
{
    public const string WebhookPath = "/runtime/webhooks/durabletask";
    private const string WorkerPathPrefix = "/__worker/";

    /// <summary>Headers that belong to one connection, not to the request or response (RFC 9110, 7.6.1).</summary>
    private static readonly HashSet<string> HopByHopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    private readonly IHost web;
    private readonly HttpClient toWorker = new(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseProxy = false, AllowAutoRedirect = false })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private Backends? backends;

    private FrontDoor(IHost web) => this.web = web;

    /// <summary>The bound port (the chosen one when started on port 0).</summary>
    public int Port { get; private set; }

    public static async Task<FrontDoor> StartAsync(int port, Action<ILoggingBuilder> configureLogging, CancellationToken cancellationToken)
    {
        FrontDoor? door = null;
        var web = new HostBuilder()
            .ConfigureLogging(configureLogging)
            .ConfigureServices(services => services.AddSingleton<IHostLifetime, SignalsHandledByProgram>())
            .ConfigureWebHost(builder => builder
                .UseKestrel(kestrel =>
                {
                    kestrel.Listen(IPAddress.Loopback, port);
                    // The worker enforces the Functions host's 100 MB limit for the app's routes.
                    kestrel.Limits.MaxRequestBodySize = null;
                    kestrel.AddServerHeader = false;
                })
                .Configure(app => app.Run(context => door!.HandleAsync(context))))
            .Build();
        door = new FrontDoor(web);
        try
        {
            await web.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException error)
        {
            web.Dispose();
            throw new ConfigurationException($"Port {port} on 127.0.0.1 is in use ({error.Message}): another host (func, or this one) is using it. Stop it, or choose another with --port.");
        }

        var address = web.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        door.Port = new Uri(address).Port;
        return door;
    }

    /// <summary>Starts serving: built-in API requests go to the extension, the rest to the worker's port.</summary>
    public void Open(IAsyncConverter<HttpRequestMessage, HttpResponseMessage> durableApi, int workerPort) =>
        backends = new Backends(durableApi, new Uri($"http://127.0.0.1:{workerPort}"));

    public async ValueTask DisposeAsync()
    {
        // Responses still being written get two seconds; the host's whole stop must fit in npm start's ten.
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await web.StopAsync(stopping.Token).ConfigureAwait(false);
        web.Dispose();
        toWorker.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.Equals("/admin/host/status", StringComparison.OrdinalIgnoreCase))
        {
            await context.Response.WriteAsJsonAsync(new { state = backends is null ? "Initialized" : "Running" }).ConfigureAwait(false);
            return;
        }

        if (path.StartsWith(WorkerPathPrefix, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (backends is not { } ready)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            return;
        }

        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var isWebhook = path.Equals(WebhookPath, StringComparison.OrdinalIgnoreCase) || path.StartsWith(WebhookPath + "/", StringComparison.OrdinalIgnoreCase);
        if (isWebhook)
        {
            // The extension builds its answers' URLs from the request's absolute URI, as the Functions host hands it.
            using var request = ToRequestMessage(context, new Uri($"{context.Request.Scheme}://{context.Request.Host}{rawTarget}"), alwaysWithContent: true);
            using var response = await ready.DurableApi.ConvertAsync(request, context.RequestAborted).ConfigureAwait(false);
            await CopyResponseAsync(response, context).ConfigureAwait(false);
        }
        else
        {
            using var request = ToRequestMessage(context, new Uri(ready.Worker, rawTarget), alwaysWithContent: false);
            request.Headers.Host = context.Request.Host.Value;
            using var response = await toWorker.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
            await CopyResponseAsync(response, context).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The request as an <see cref="HttpRequestMessage"/>. The extension's handler reads the
    /// content of every request, as the Functions host always gives it one; the worker gets a body
    /// only when the request can have one.
    /// </summary>
    private static HttpRequestMessage ToRequestMessage(HttpContext context, Uri target, bool alwaysWithContent)
    {
        var incoming = context.Request;
        var message = new HttpRequestMessage(new HttpMethod(incoming.Method), target);
        var canHaveBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true;
        if (canHaveBody || alwaysWithContent) message.Content = new StreamContent(incoming.Body);
        foreach (var (name, values) in incoming.Headers)
        {
            if (HopByHopHeaders.Contains(name) || name.Equals("Host", StringComparison.OrdinalIgnoreCase)) continue;
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values)) message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }

        return message;
    }

    private static async Task CopyResponseAsync(HttpResponseMessage response, HttpContext context)
    {
        context.Response.StatusCode = (int)response.StatusCode;
        CopyHeaders(response.Headers, context.Response.Headers);
        CopyHeaders(response.Content.Headers, context.Response.Headers);
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// HttpClient splits list-valued headers such as <c>Allow: GET, POST</c> into values; they are
    /// joined again, so that the client sees the header as the worker wrote it. Set-Cookie is the
    /// one header that must stay one line per value.
    /// </summary>
    private static void CopyHeaders(HttpHeaders from, IHeaderDictionary to)
    {
        foreach (var (name, values) in from)
        {
            if (HopByHopHeaders.Contains(name)) continue;
            to[name] = name.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase) ? values.ToArray() : string.Join(", ", values);
        }
    }

    private sealed record Backends(IAsyncConverter<HttpRequestMessage, HttpResponseMessage> DurableApi, Uri Worker);
}

/// <summary>
/// Ctrl-C and SIGTERM are the program's to handle, which stops the front door, the extension and
/// the worker in order; without this each generic host would stop itself on its own.
/// </summary>
public sealed class SignalsHandledByProgram : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

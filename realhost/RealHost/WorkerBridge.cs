using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RealHost;

/// <summary>
/// Where every emitted trigger method lands: the extension's trigger value goes to the Node.js
/// worker, and the worker's reply comes back converted as the Functions host converts it. The
/// emitted methods are static, as WebJobs invokes them, so the worker is attached here once at start.
/// </summary>
public static class WorkerBridge
{
    private static NodeWorker? worker;
    private static ILogger? payloadTrace;

    /// <summary>Attaches the worker; with <paramref name="tracePayloads"/>, every trigger value and reply is logged.</summary>
    internal static void Attach(NodeWorker attached, ILogger? tracePayloads)
    {
        worker = attached;
        payloadTrace = tracePayloads;
    }

    /// <summary>
    /// Runs the function in the worker. The extension blocks an orchestrator thread on this task
    /// for out-of-process orchestrators, so nothing here resumes on the caller's context.
    /// </summary>
    public static async Task<object?> InvokeAsync(string functionName, string payload, CancellationToken cancellationToken)
    {
        var current = worker ?? throw new InvalidOperationException("The Node.js worker is not attached.");
        payloadTrace?.LogInformation("Trigger payload for '{FunctionName}': {Payload}", functionName, payload);
        var reply = await current.InvokeAsync(functionName, payload, cancellationToken).ConfigureAwait(false);
        payloadTrace?.LogInformation("Worker reply from '{FunctionName}': {Reply}", functionName, reply.ToString(Formatting.None));
        return WorkerReply.ToReturnValue(reply);
    }
}

/// <summary>
/// Reads the durableClient binding data the extension gives Node.js apps (task hub, management
/// URLs, the local RPC endpoint), through the extension's own <c>[DurableClient] string</c>
/// binding. It depends only on the webhook URL, the task hub and the connection, so it is read
/// once at start and handed to the worker for every function with a durableClient input.
/// </summary>
public static class DurableClientBinding
{
    public const string FunctionName = "RealHost_ReadDurableClientBinding";

    [NoAutomaticTrigger]
    [FunctionName(FunctionName)]
#pragma warning disable DF0203 // The analyzer is for .NET apps; a string is how out-of-process workers get the client's JSON.
    public static void Read([DurableClient] string client, JObject[] sink)
#pragma warning restore DF0203
    {
        using var reader = new JsonTextReader(new StringReader(client)) { DateParseHandling = DateParseHandling.None };
        sink[0] = JObject.Load(reader);
    }

    public static async Task<JObject> ReadAsync(IJobHost jobHost, CancellationToken cancellationToken)
    {
        var sink = new JObject[1];
        await jobHost.CallAsync(FunctionName, new Dictionary<string, object?> { ["sink"] = sink }, cancellationToken).ConfigureAwait(false);
        return sink[0] ?? throw new InvalidOperationException("The extension bound no durableClient data.");
    }
}

using System.Globalization;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RealHost;

/// <summary>
/// The worker's answer to an invocation, turned into what the Functions host hands the extension:
/// the function's return value converted from the worker's typed data, or the failure as the
/// host's <c>RpcException</c>.
/// </summary>
public static class WorkerReply
{
    /// <summary>As the host parses a worker's JSON: dates stay strings, so orchestration inputs and outputs round-trip exactly.</summary>
    private static readonly JsonSerializerSettings HostJsonSettings = new() { DateParseHandling = DateParseHandling.None };

    /// <summary>
    /// The reply body <c>{"ok":true,"data":{…}}</c> or <c>{"ok":false,"message":…,"stack":…}</c>:
    /// the return value, or a <see cref="WorkerInvocationException"/>.
    /// </summary>
    public static object? ToReturnValue(JObject reply)
    {
        if (reply.Value<bool?>("ok") == true)
        {
            return reply["data"] is JObject data ? FromTypedData(data) : throw new InvalidDataException($"The worker's reply has no typed data: {reply.ToString(Formatting.None)}");
        }

        throw new WorkerInvocationException(reply.Value<string>("message") ?? "", reply.Value<string>("stack") ?? "");
    }

    /// <summary>
    /// The host's conversion of a worker's typed data to a .NET value: strings as strings, JSON
    /// parsed (objects become <see cref="JObject"/>, which entity results must be), integers as
    /// <see cref="long"/>, doubles as <see cref="double"/>, bytes as a byte array, none as null.
    /// </summary>
    public static object? FromTypedData(JObject data)
    {
        if (data["string"] is { } text) return (string?)text;
        if (data["json"] is { } json) return JsonConvert.DeserializeObject((string?)json ?? "null", HostJsonSettings);
        if (data["int"] is { } integer) return Convert.ToInt64(((JValue)integer).Value, CultureInfo.InvariantCulture);
        if (data["double"] is { } number) return Convert.ToDouble(((JValue)number).Value, CultureInfo.InvariantCulture);
        if (data["bytes"] is { } bytes) return Convert.FromBase64String((string?)bytes ?? "");
        return null;
    }
}

/// <summary>
/// A function that failed in the worker, as the Functions host reports it: an
/// <see cref="Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException"/> with the result
/// <c>Failure</c>, whose message reads <c>Result: Failure</c>, <c>Exception:</c>, <c>Stack:</c>. The
/// extension recognises it, takes the worker's message as the failure's message (an activity's
/// failure shows it alone), and recovers a failed orchestration's state (its actions and custom
/// status) from the <c>$OutOfProcData$</c> that durable-functions appends to the message.
/// </summary>
public sealed class WorkerInvocationException(string message, string stack)
    : Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException("Failure", message, stack);

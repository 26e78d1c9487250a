namespace Microsoft.Azure.WebJobs.Script.Workers.Rpc;

/// <summary>
/// The Functions host's exception for a function that failed in a language worker, under the full
/// name the Durable extension looks for. Its <c>OutOfProcExceptionHelpers</c> (3.19) takes the
/// worker's message from <see cref="RemoteMessage"/> of an exception whose type, or a base type, is
/// named <c>Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException</c>; of any other exception it
/// takes the text between <c>"\nException:"</c> and <c>"\nStack:"</c>, which keeps the space after
/// the colon, so an activity's failure would read "failed:  message" with two spaces, not as under
/// the Functions host.
/// </summary>
public class RpcException(string result, string message, string stack)
    : Exception($"Result: {result}\nException: {message}\nStack: {stack}")
{
    /// <summary>The worker's message, as it sent it.</summary>
    public string RemoteMessage { get; } = message;

    /// <summary>The worker's stack trace, as it sent it.</summary>
    public string RemoteStackTrace { get; } = stack;
}

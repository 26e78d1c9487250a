using System.Reflection;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Host;
using Newtonsoft.Json.Linq;

namespace RealHost.Tests;

public sealed class WorkerReplyTests
{
    private const BindingFlags AnyStatic = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;

    [Fact]
    public void AStringIsAString()
    {
        Assert.Equal("hello", WorkerReply.FromTypedData(JObject.Parse("""{ "string": "hello" }""")));
    }

    [Fact]
    public void AJsonObjectIsAJObjectWithDatesKeptAsText()
    {
        var value = WorkerReply.FromTypedData(new JObject { ["json"] = """{"count":1,"when":"2026-01-02T03:04:05.678Z"}""" });

        var json = Assert.IsType<JObject>(value);
        Assert.Equal(JTokenType.Integer, json["count"]!.Type);
        Assert.Equal(JTokenType.String, json["when"]!.Type);
        Assert.Equal("2026-01-02T03:04:05.678Z", (string?)json["when"]);
    }

    [Fact]
    public void AJsonArrayIsAJArray()
    {
        var array = Assert.IsType<JArray>(WorkerReply.FromTypedData(new JObject { ["json"] = """[1,"two",{"three":3}]""" }));
        Assert.Equal("""[1,"two",{"three":3}]""", array.ToString(Newtonsoft.Json.Formatting.None));
    }

    [Fact]
    public void AJsonNumberIsANumber()
    {
        Assert.Equal(42L, WorkerReply.FromTypedData(new JObject { ["json"] = "42" }));
        Assert.Equal(1.5, WorkerReply.FromTypedData(new JObject { ["json"] = "1.5" }));
    }

    [Fact]
    public void AJsonBooleanAndNull()
    {
        Assert.Equal(true, WorkerReply.FromTypedData(new JObject { ["json"] = "true" }));
        Assert.Null(WorkerReply.FromTypedData(new JObject { ["json"] = "null" }));
    }

    [Fact]
    public void AnIntIsALong()
    {
        var value = WorkerReply.FromTypedData(JObject.Parse("""{ "int": 7 }"""));
        Assert.IsType<long>(value);
        Assert.Equal(7L, value);
        Assert.Equal(9007199254740991L, WorkerReply.FromTypedData(JObject.Parse("""{ "int": 9007199254740991 }""")));
    }

    [Fact]
    public void ADoubleIsADouble()
    {
        var value = WorkerReply.FromTypedData(JObject.Parse("""{ "double": 2.25 }"""));
        Assert.IsType<double>(value);
        Assert.Equal(2.25, value);
    }

    [Theory]
    [InlineData("NaN", double.NaN)]
    [InlineData("Infinity", double.PositiveInfinity)]
    [InlineData("-Infinity", double.NegativeInfinity)]
    public void NonFiniteDoublesComeByName(string name, double expected)
    {
        Assert.Equal(expected, WorkerReply.FromTypedData(new JObject { ["double"] = name }));
    }

    [Fact]
    public void BytesAreAByteArray()
    {
        var bytes = Assert.IsType<byte[]>(WorkerReply.FromTypedData(new JObject { ["bytes"] = Convert.ToBase64String([0, 1, 254, 255]) }));
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, bytes);
    }

    [Fact]
    public void NoneIsNull()
    {
        Assert.Null(WorkerReply.FromTypedData(new JObject()));
    }

    [Fact]
    public void ASuccessfulReplyGivesItsValue()
    {
        Assert.Equal("done", WorkerReply.ToReturnValue(JObject.Parse("""{ "ok": true, "data": { "string": "done" } }""")));
        Assert.Null(WorkerReply.ToReturnValue(JObject.Parse("""{ "ok": true, "data": {} }""")));
    }

    [Fact]
    public void ASuccessfulReplyWithoutDataIsInvalid()
    {
        Assert.Throws<InvalidDataException>(() => WorkerReply.ToReturnValue(JObject.Parse("""{ "ok": true }""")));
    }

    [Fact]
    public void AFailedReplyThrowsInTheFunctionsHostShape()
    {
        var reply = JObject.Parse("""{ "ok": false, "message": "Boom: no such thing", "stack": "Error: Boom: no such thing\n    at sayHello (/app/dist/hello.js:3:9)" }""");

        var error = Assert.Throws<WorkerInvocationException>(() => WorkerReply.ToReturnValue(reply));
        Assert.Equal("Result: Failure\nException: Boom: no such thing\nStack: Error: Boom: no such thing\n    at sayHello (/app/dist/hello.js:3:9)", error.Message);
        Assert.Equal("Boom: no such thing", error.RemoteMessage);
        Assert.Equal("Error: Boom: no such thing\n    at sayHello (/app/dist/hello.js:3:9)", error.RemoteStackTrace);
    }

    /// <summary>
    /// An activity's failure, as the extension's TaskActivityShim handles it: WebJobs wraps what the
    /// function threw in a FunctionInvocationException, the shim strips that
    /// (StripFunctionInvocationException) and asks OutOfProcExceptionHelpers for the friendly
    /// message, which becomes the failure's message ("Activity function 'x' failed: {message}").
    /// </summary>
    [Fact]
    public void TheExtensionRecognisesAFailedActivityAndTakesTheWorkerMessage()
    {
        var thrown = Assert.Throws<WorkerInvocationException>(() => WorkerReply.ToReturnValue(
            JObject.Parse("""{ "ok": false, "message": "Boom: no such thing", "stack": "Error: Boom: no such thing\n    at sayHello (/app/dist/hello.js:3:9)" }""")));
        var wrapped = AsWebJobsWrapsIt(thrown);

        var stripped = (Exception?)ExtensionType("TaskActivityShim").GetMethod("StripFunctionInvocationException", AnyStatic)!.Invoke(null, [wrapped]);
        Assert.Same(thrown, stripped);
        object?[] arguments = [stripped, null];
        var recognised = (bool)Helpers().GetMethod("TryGetExceptionWithFriendlyMessage", AnyStatic)!.Invoke(null, arguments)!;

        Assert.True(recognised);
        var friendly = Assert.IsType<Exception>(arguments[1]);
        Assert.Equal("Boom: no such thing", friendly.Message);
        Assert.Same(thrown, friendly.InnerException);
    }

    /// <summary>
    /// An orchestrator's failure, as the extension's TaskOrchestrationShim handles it: it takes the
    /// wrapper's InnerException and extracts the state durable-functions appended to the message
    /// after "$OutOfProcData$:", whose actions it then replays; the friendly message stops before it.
    /// </summary>
    [Fact]
    public void TheExtensionRecoversAFailedOrchestratorsState()
    {
        const string state = """{"isDone":false,"actions":[[{"actionType":0,"functionName":"sayHello","input":"x"}]],"output":null,"error":"Boom","customStatus":"half way"}""";
        var thrown = Assert.Throws<WorkerInvocationException>(() => WorkerReply.ToReturnValue(new JObject
        {
            ["ok"] = false,
            ["message"] = $"Boom\n\n$OutOfProcData$:{state}",
            ["stack"] = "Error: Boom\n    at orchestrator (/app/dist/orchestrator.js:9:15)",
        }));
        var wrapped = AsWebJobsWrapsIt(thrown);

        object?[] extract = [wrapped.InnerException, null];
        Assert.True((bool)Helpers().GetMethod("TryExtractOutOfProcStateJson", AnyStatic)!.Invoke(null, extract)!);
        Assert.Equal(state, extract[1]);

        object?[] friendly = [thrown, null];
        Assert.True((bool)Helpers().GetMethod("TryGetExceptionWithFriendlyMessage", AnyStatic)!.Invoke(null, friendly)!);
        Assert.Equal("Boom", Assert.IsType<Exception>(friendly[1]).Message);
    }

    [Fact]
    public void TheExtensionDoesNotTakeOtherExceptionsForWorkerFailures()
    {
        object?[] arguments = [new InvalidOperationException("Result: Failure but not in the shape"), null];
        Assert.False((bool)Helpers().GetMethod("TryGetExceptionWithFriendlyMessage", AnyStatic)!.Invoke(null, arguments)!);
        Assert.Null(arguments[1]);
    }

    /// <summary>As WebJobs' FunctionExecutor reports a function that threw.</summary>
    private static FunctionInvocationException AsWebJobsWrapsIt(Exception thrown) =>
        new("Exception while executing function: Functions.sayHello", Guid.NewGuid(), "Functions.sayHello", thrown);

    private static Type Helpers() => ExtensionType("OutOfProcExceptionHelpers");

    private static Type ExtensionType(string name) =>
        typeof(DurableTaskExtension).Assembly.GetType($"Microsoft.Azure.WebJobs.Extensions.DurableTask.{name}", throwOnError: true)!;
}

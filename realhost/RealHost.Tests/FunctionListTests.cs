namespace RealHost.Tests;

public sealed class FunctionListTests
{
    private static readonly WorkerFunction[] Functions =
    [
        new("httpStart", "httpTrigger", "orchestrators/{name}", ["POST"]),
        new("status", "httpTrigger", null, ["GET", "DELETE"]),
        new("anyMethod", "httpTrigger", null, null),
        new("helloOrchestrator", "orchestrationTrigger", null, null),
        new("sayHello", "activityTrigger", null, null),
        new("counter", "entityTrigger", null, null),
    ];

    [Fact]
    public void TheCoreToolsListWithTheApiPrefix()
    {
        Assert.Equal(
            "Functions:\n\n"
            + "\thttpStart: [POST] http://localhost:7071/api/orchestrators/{name}\n\n"
            + "\tstatus: [GET,DELETE] http://localhost:7071/api/status\n\n"
            + "\tanyMethod: [GET,POST] http://localhost:7071/api/anyMethod\n\n"
            + "\thelloOrchestrator: orchestrationTrigger\n\n"
            + "\tsayHello: activityTrigger\n\n"
            + "\tcounter: entityTrigger\n",
            FunctionList.Describe(Functions, "api", 7071));
    }

    [Fact]
    public void AnEmptyRoutePrefixLeavesNoEmptySegment()
    {
        Assert.Equal(
            "Functions:\n\n"
            + "\thttpStart: [POST] http://localhost:8080/orchestrators/{name}\n\n"
            + "\tanyMethod: [GET,POST] http://localhost:8080/anyMethod\n",
            FunctionList.Describe([Functions[0], Functions[2]], "", 8080));
    }

    [Fact]
    public void OtherTriggersAreListedByType()
    {
        Assert.Equal("Functions:\n\n\tnightly: timerTrigger\n", FunctionList.Describe([new("nightly", "timerTrigger", null, null)], "api", 7071));
    }
}

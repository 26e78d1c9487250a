using System.Collections;
using System.Reflection;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Host.Config;
using Microsoft.Azure.WebJobs.Host.Protocols;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace RealHost.Tests;

public sealed class FunctionEmitterTests
{
    private static readonly WorkerFunction[] AppFunctions =
    [
        new("helloOrchestrator", "orchestrationTrigger", null, null),
        new("counter", "entityTrigger", null, null),
        new("sayHello", "activityTrigger", null, null),
        new("httpStart", "httpTrigger", "orchestrators/{name}", ["POST"]),
        new("nightly", "timerTrigger", null, null),
    ];

    [Fact]
    public void TheFunctionsTypeHasAMethodPerDurableFunction()
    {
        var type = FunctionEmitter.EmitFunctionsType(AppFunctions);

        Assert.Equal("Functions", type.FullName);
        Assert.True(type.IsPublic && type.IsAbstract && type.IsSealed); // static
        var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly);
        Assert.Equal(["counter", "helloOrchestrator", "sayHello"], methods.Select(method => method.Name).Order(StringComparer.Ordinal));
        Assert.Empty(type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly));
        foreach (var method in methods)
        {
            Assert.Equal(typeof(Task<object>), method.ReturnType);
            Assert.Equal([typeof(string), typeof(CancellationToken)], method.GetParameters().Select(parameter => parameter.ParameterType));
            Assert.Equal(method.Name, method.GetCustomAttribute<FunctionNameAttribute>()?.Name);
        }
    }

    [Fact]
    public void EachTriggerParameterHasItsTriggerAttributeNamingTheFunction()
    {
        var type = FunctionEmitter.EmitFunctionsType(AppFunctions);

        var orchestrator = TriggerParameter(type, "helloOrchestrator");
        Assert.Equal("helloOrchestrator", Assert.Single(orchestrator.GetCustomAttributes<OrchestrationTriggerAttribute>()).Orchestration);
        Assert.Single(orchestrator.GetCustomAttributes());

        var entity = TriggerParameter(type, "counter");
        Assert.Equal("counter", Assert.Single(entity.GetCustomAttributes<EntityTriggerAttribute>()).EntityName);
        Assert.Single(entity.GetCustomAttributes());

        var activity = TriggerParameter(type, "sayHello");
        Assert.Equal("sayHello", Assert.Single(activity.GetCustomAttributes<ActivityTriggerAttribute>()).Activity);
        Assert.Single(activity.GetCustomAttributes());
    }

    [Fact]
    public async Task AnEmittedMethodCallsTheWorkerBridge()
    {
        var method = FunctionEmitter.EmitFunctionsType(AppFunctions).GetMethod("sayHello")!;

        // No worker is attached in tests: the bridge's own error shows the emitted body ran it.
        var invocation = (Task<object>)method.Invoke(null, ["\"Tokyo\"", CancellationToken.None])!;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => invocation);
        Assert.Equal("The Node.js worker is not attached.", error.Message);
    }

    [Fact]
    public void NoDurableFunctionsGiveAnEmptyType()
    {
        var type = FunctionEmitter.EmitFunctionsType([new("httpStart", "httpTrigger", null, null)]);
        Assert.Empty(type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly));
    }

    /// <summary>
    /// WebJobs indexes the emitted type as it does at start (JobHostContextFactory asks the
    /// internal IFunctionIndexProvider), which initialises the Durable extension and lets its
    /// trigger bindings register each function by kind; only the listeners, which are not created
    /// here, need Azure Storage.
    /// </summary>
    [Fact]
    public async Task WebJobsIndexesTheFunctionsAndTheExtensionRegistersThem()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsConfigurationSection"] = AppConfiguration.JobHostSection,
            ["AzureFunctionsJobHost:extensions:durableTask:hubName"] = "IndexingTest",
            // No local RPC endpoint: initialising the extension would otherwise listen on port 17071.
            ["AzureFunctionsJobHost:extensions:durableTask:localRpcEndpointEnabled"] = "false",
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["FUNCTIONS_WORKER_RUNTIME"] = "node",
        }).Build();
        using var host = JobHosts.Build(configuration, FunctionEmitter.EmitFunctionsType(AppFunctions));

        var descriptors = await IndexAsync(host.Services);

        Assert.Equal(["Functions.counter", "Functions.helloOrchestrator", "Functions.sayHello"], descriptors.Select(descriptor => descriptor.FullName).Order(StringComparer.Ordinal));
        foreach (var descriptor in descriptors)
        {
            Assert.Equal(descriptor.FullName["Functions.".Length..], descriptor.ShortName);
            Assert.Equal(["payload", "cancellationToken"], descriptor.Parameters.Select(parameter => parameter.Name));
        }

        var extension = host.Services.GetServices<IExtensionConfigProvider>().OfType<DurableTaskExtension>().Single();
        Assert.Equal(["helloOrchestrator"], RegisteredNames(extension, "knownOrchestrators"));
        Assert.Equal(["counter"], RegisteredNames(extension, "knownEntities"));
        Assert.Equal(["sayHello"], RegisteredNames(extension, "knownActivities"));
    }

    private static ParameterInfo TriggerParameter(Type type, string functionName)
    {
        var parameter = type.GetMethod(functionName)!.GetParameters()[0];
        Assert.Equal("payload", parameter.Name);
        return parameter;
    }

    private static async Task<IReadOnlyList<FunctionDescriptor>> IndexAsync(IServiceProvider services)
    {
        var webJobs = typeof(JobHost).Assembly;
        var providerType = webJobs.GetType("Microsoft.Azure.WebJobs.Host.Indexers.IFunctionIndexProvider", throwOnError: true)!;
        var indexType = webJobs.GetType("Microsoft.Azure.WebJobs.Host.Indexers.IFunctionIndex", throwOnError: true)!;
        var getIndex = (Task)providerType.GetMethod("GetAsync")!.Invoke(services.GetRequiredService(providerType), [CancellationToken.None])!;
        await getIndex;
        var index = getIndex.GetType().GetProperty("Result")!.GetValue(getIndex)!;
        return ((IEnumerable<FunctionDescriptor>)indexType.GetMethod("ReadAllDescriptors")!.Invoke(index, null)!).ToList();
    }

    /// <summary>The names in one of the extension's registries of functions by kind (a dictionary keyed by its FunctionName).</summary>
    private static IEnumerable<string> RegisteredNames(DurableTaskExtension extension, string field)
    {
        var registry = (IDictionary)typeof(DurableTaskExtension).GetField(field, BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(extension)!;
        return registry.Keys.Cast<object>().Select(key => (string)key.GetType().GetProperty("Name")!.GetValue(key)!).Order(StringComparer.Ordinal).ToList();
    }
}

using System.Reflection;
using System.Reflection.Emit;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;

namespace RealHost;

/// <summary>
/// The app's durable functions as WebJobs functions, emitted at start from the worker's list of
/// registrations, as the Functions host emits its own: one type <c>Functions</c> with a static
/// method per orchestration, entity and activity, whose <c>string</c> trigger parameter puts the
/// extension on the same out-of-process path it takes for Node.js apps. Each method only calls
/// <see cref="WorkerBridge.InvokeAsync"/>. An app with a new function needs no change here.
/// </summary>
public static class FunctionEmitter
{
    /// <summary>The trigger types this host runs through the extension; HTTP triggers are the worker's own.</summary>
    public static readonly IReadOnlySet<string> DurableTriggerTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "orchestrationTrigger",
        "entityTrigger",
        "activityTrigger",
    };

    private static readonly MethodInfo Invoke = typeof(WorkerBridge).GetMethod(nameof(WorkerBridge.InvokeAsync))!;

    /// <summary>Emits the <c>Functions</c> type for the durable functions among <paramref name="functions"/>.</summary>
    public static Type EmitFunctionsType(IEnumerable<WorkerFunction> functions)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("RealHost.AppFunctions"), AssemblyBuilderAccess.Run);
        var type = assembly.DefineDynamicModule("RealHost.AppFunctions")
            .DefineType("Functions", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed | TypeAttributes.Class);
        foreach (var function in functions.Where(function => DurableTriggerTypes.Contains(function.TriggerType)))
        {
            var method = type.DefineMethod(function.Name, MethodAttributes.Public | MethodAttributes.Static, typeof(Task<object>), [typeof(string), typeof(CancellationToken)]);
            method.SetCustomAttribute(new CustomAttributeBuilder(typeof(FunctionNameAttribute).GetConstructor([typeof(string)])!, [function.Name]));
            method.DefineParameter(1, ParameterAttributes.None, "payload").SetCustomAttribute(TriggerAttribute(function));
            method.DefineParameter(2, ParameterAttributes.None, "cancellationToken");
            var il = method.GetILGenerator();
            il.Emit(OpCodes.Ldstr, function.Name);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, Invoke);
            il.Emit(OpCodes.Ret);
        }

        return type.CreateType();
    }

    /// <summary><c>[OrchestrationTrigger(Orchestration = name)]</c>, <c>[EntityTrigger(EntityName = name)]</c> or <c>[ActivityTrigger(Activity = name)]</c>.</summary>
    private static CustomAttributeBuilder TriggerAttribute(WorkerFunction function)
    {
        var (attribute, property) = function.TriggerType switch
        {
            "orchestrationTrigger" => (typeof(OrchestrationTriggerAttribute), nameof(OrchestrationTriggerAttribute.Orchestration)),
            "entityTrigger" => (typeof(EntityTriggerAttribute), nameof(EntityTriggerAttribute.EntityName)),
            "activityTrigger" => (typeof(ActivityTriggerAttribute), nameof(ActivityTriggerAttribute.Activity)),
            _ => throw new ArgumentException($"'{function.TriggerType}' is not a durable trigger.", nameof(function)),
        };
        return new CustomAttributeBuilder(attribute.GetConstructor(Type.EmptyTypes)!, [], [attribute.GetProperty(property)!], [function.Name]);
    }
}

/// <summary>The types the WebJobs host indexes: the emitted functions and the host's own client-binding reader.</summary>
public sealed class FixedTypeLocator(params Type[] types) : ITypeLocator
{
    public IReadOnlyList<Type> GetTypes() => types;
}

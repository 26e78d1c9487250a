using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace RealHost.Tests;

/// <summary>
/// WebJobs hosts with the Durable extension, built (never started) the way RealExtensionHost
/// builds its own, so that nothing here needs Azure Storage.
/// </summary>
internal static class JobHosts
{
    public static IHost Build(IConfiguration configuration, params Type[] functionTypes)
    {
        // ConfigureWebJobs adds the process environment to the host's configuration; Program.cs
        // clears these before it builds the host, so they must not be seen here either.
        foreach (var name in AppConfiguration.AzurePlatformVariables) Environment.SetEnvironmentVariable(name, null);
        return new HostBuilder()
            .ConfigureAppConfiguration(builder => builder.AddConfiguration(configuration))
            .ConfigureWebJobs(webJobs => webJobs.AddDurableTask())
            .ConfigureServices(services => services.AddSingleton<ITypeLocator>(new FixedTypeLocator(functionTypes)))
            .Build();
    }
}

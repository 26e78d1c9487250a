using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace RealHost.Tests;

/// <summary>
/// The host's WebJobs host with the Durable extension (<see cref="DurableJobHost"/>), built but
/// never started, so that nothing here needs Azure Storage.
/// </summary>
internal static class JobHosts
{
    public static IHost Build(IConfiguration configuration, params Type[] functionTypes)
    {
        // ConfigureWebJobs adds the process environment to the host's configuration; Program.cs
        // clears these before it builds the host, so they must not be seen here either.
        foreach (var name in AppConfiguration.AzurePlatformVariables) Environment.SetEnvironmentVariable(name, null);
        return DurableJobHost.Build(configuration, _ => { }, 7071, functionTypes);
    }
}

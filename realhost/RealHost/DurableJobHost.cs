using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Host.Config;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RealHost;

/// <summary>
/// The WebJobs host with the Durable extension, set up as the Functions host sets up its own: the
/// app's configuration, the emitted functions as the only types to index, the front door as the
/// extension's public webhook URL, and signals left to the program.
/// </summary>
public static class DurableJobHost
{
    public static IHost Build(IConfiguration configuration, Action<ILoggingBuilder> configureLogging, int frontDoorPort, params Type[] functionTypes) =>
        new HostBuilder()
            .ConfigureAppConfiguration(builder => builder.AddConfiguration(configuration))
            .ConfigureLogging(configureLogging)
            .ConfigureWebJobs(webJobs => webJobs.AddDurableTask())
            .ConfigureServices(services =>
            {
                services.AddSingleton<ITypeLocator>(new FixedTypeLocator(functionTypes));
#pragma warning disable CS0618 // IWebHookProvider is marked obsolete, yet it is how the extension learns its public webhook URL.
                services.AddSingleton<IWebHookProvider>(new FrontDoorWebhooks(frontDoorPort));
#pragma warning restore CS0618
                services.AddSingleton<IHostLifetime, SignalsHandledByProgram>();
            })
            .Build();

#pragma warning disable CS0618 // See above.
    /// <summary>The extension's public webhook URL: the front door, as the Functions host gives its own origin.</summary>
    private sealed class FrontDoorWebhooks(int port) : IWebHookProvider
    {
        public Uri GetUrl(IExtensionConfigProvider extension) => new($"http://localhost:{port}{FrontDoor.WebhookPath}");
    }
#pragma warning restore CS0618
}

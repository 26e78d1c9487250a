using System.Globalization;

namespace RealHost;

/// <summary>The host's options, in the devhost's spelling where they mean the same.</summary>
public sealed record CommandLine(string AppRoot, int? Port, string Node, string? WorkerScript, bool TracePayloads, bool Help)
{
    public const string Usage = """
        Real-extension host: runs the compiled Functions app on the real Durable Task extension
        (Microsoft.Azure.WebJobs.Extensions.DurableTask) with Azure Storage (Azurite), its code in a Node.js worker.

        Usage: dotnet RealHost.dll [options]

          --app-root <dir>    the app's folder (package.json, host.json, local.settings.json); default: the current folder
          --port <n>          HTTP port on 127.0.0.1; default: local.settings.json Host.LocalHttpPort, else 7071; 0 = any free port
          --node <path>       the Node.js executable; default: node on PATH
          --worker <file>     the worker script; default: devhost/dist/worker/main.js in the app root or a folder above it
          --trace-payloads    log every trigger value the extension hands a function, and the worker's reply
          --help              this text
        """;

    public static CommandLine Parse(IReadOnlyList<string> args, string currentDirectory)
    {
        string? appRoot = null, node = null, worker = null;
        int? port = null;
        bool trace = false, help = false;
        for (var index = 0; index < args.Count; index++)
        {
            var name = args[index];
            string Value() => index + 1 < args.Count ? args[++index] : throw new UsageException($"{name} needs a value.");
            switch (name)
            {
                case "--app-root": appRoot = Value(); break;
                case "--port": port = ParsePort(Value()); break;
                case "--node": node = Value(); break;
                case "--worker": worker = Value(); break;
                case "--trace-payloads": trace = true; break;
                case "--help" or "-h": help = true; break;
                default: throw new UsageException($"Unknown option \"{name}\".");
            }
        }

        return new CommandLine(Path.GetFullPath(appRoot ?? currentDirectory, currentDirectory), port, node ?? "node", worker, trace, help);
    }

    /// <summary>The worker script given, or the repository's build found from the app root upwards.</summary>
    public string ResolveWorkerScript()
    {
        if (WorkerScript is not null) return Path.GetFullPath(WorkerScript);
        for (var folder = new DirectoryInfo(AppRoot); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "devhost", "dist", "worker", "main.js");
            if (File.Exists(candidate)) return candidate;
        }

        throw new ConfigurationException($"No devhost/dist/worker/main.js in {AppRoot} or a folder above it: run `npm run build`, or pass --worker <file>.");
    }

    private static int ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new UsageException($"--port must be an integer from 0 to 65535, not \"{text}\".");
}

/// <summary>A command line the host cannot run with; the usage text follows the message.</summary>
public sealed class UsageException(string message) : Exception(message);

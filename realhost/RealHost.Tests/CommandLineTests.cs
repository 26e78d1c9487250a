namespace RealHost.Tests;

public sealed class CommandLineTests
{
    private const string Current = "/work/app";

    [Fact]
    public void TheDefaults()
    {
        Assert.Equal(new CommandLine(Path.GetFullPath(Current), null, "node", null, false, false), CommandLine.Parse([], Current));
    }

    [Fact]
    public void EveryOption()
    {
        var options = CommandLine.Parse(["--app-root", "samples/one", "--port", "7072", "--node", "/opt/node/bin/node", "--worker", "w/main.js", "--trace-payloads", "--help"], Current);

        Assert.Equal(new CommandLine(Path.GetFullPath("/work/app/samples/one"), 7072, "/opt/node/bin/node", "w/main.js", true, true), options);
    }

    [Fact]
    public void AnAbsoluteAppRootIsKept()
    {
        Assert.Equal(Path.GetFullPath("/elsewhere/app"), CommandLine.Parse(["--app-root", "/elsewhere/app"], Current).AppRoot);
    }

    [Fact]
    public void ShortHelp()
    {
        Assert.True(CommandLine.Parse(["-h"], Current).Help);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("65535", 65535)]
    public void PortBounds(string text, int port)
    {
        Assert.Equal(port, CommandLine.Parse(["--port", text], Current).Port);
    }

    [Theory]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("+80")]
    [InlineData("80a")]
    [InlineData("")]
    public void ABadPortIsAUsageError(string text)
    {
        var error = Assert.Throws<UsageException>(() => CommandLine.Parse(["--port", text], Current));
        Assert.Equal($"--port must be an integer from 0 to 65535, not \"{text}\".", error.Message);
    }

    [Fact]
    public void AnUnknownOptionIsAUsageError()
    {
        var error = Assert.Throws<UsageException>(() => CommandLine.Parse(["--app-root", "x", "--verbose"], Current));
        Assert.Equal("Unknown option \"--verbose\".", error.Message);
    }

    [Theory]
    [InlineData("--app-root")]
    [InlineData("--port")]
    [InlineData("--node")]
    [InlineData("--worker")]
    public void AMissingValueIsAUsageError(string option)
    {
        var error = Assert.Throws<UsageException>(() => CommandLine.Parse(["--trace-payloads", option], Current));
        Assert.Equal($"{option} needs a value.", error.Message);
    }

    [Fact]
    public void TheWorkerScriptIsFoundInAFolderAboveTheAppRoot()
    {
        using var repository = new TempFolder();
        var script = repository.Write(Path.Combine("devhost", "dist", "worker", "main.js"), "// worker");
        var appRoot = Path.Combine(repository.Path, "samples", "app");
        Directory.CreateDirectory(appRoot);

        Assert.Equal(script, CommandLine.Parse(["--app-root", appRoot], Current).ResolveWorkerScript());
    }

    [Fact]
    public void TheNearestWorkerScriptWins()
    {
        using var repository = new TempFolder();
        repository.Write(Path.Combine("devhost", "dist", "worker", "main.js"), "// outer");
        var inner = repository.Write(Path.Combine("samples", "devhost", "dist", "worker", "main.js"), "// inner");
        var appRoot = Path.Combine(repository.Path, "samples", "app");
        Directory.CreateDirectory(appRoot);

        Assert.Equal(inner, CommandLine.Parse(["--app-root", appRoot], Current).ResolveWorkerScript());
    }

    [Fact]
    public void TheWorkerScriptInTheAppRootItselfIsFound()
    {
        using var app = new TempFolder();
        var script = app.Write(Path.Combine("devhost", "dist", "worker", "main.js"), "// worker");

        Assert.Equal(script, CommandLine.Parse(["--app-root", app.Path], Current).ResolveWorkerScript());
    }

    [Fact]
    public void AGivenWorkerScriptIsUsedAsGiven()
    {
        using var app = new TempFolder();
        app.Write(Path.Combine("devhost", "dist", "worker", "main.js"), "// not this one");
        var given = Path.Combine(app.Path, "custom", "worker.js");

        Assert.Equal(given, CommandLine.Parse(["--app-root", app.Path, "--worker", given], Current).ResolveWorkerScript());
    }

    [Fact]
    public void AMissingWorkerScriptIsExplained()
    {
        using var app = new TempFolder();
        var options = CommandLine.Parse(["--app-root", app.Path], Current);

        var error = Assert.Throws<ConfigurationException>(options.ResolveWorkerScript);
        Assert.Equal($"No devhost/dist/worker/main.js in {app.Path} or a folder above it: run `npm run build`, or pass --worker <file>.", error.Message);
    }
}

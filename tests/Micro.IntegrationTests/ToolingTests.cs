using System.Diagnostics;
using Xunit.Abstractions;

namespace Micro.IntegrationTests;

/// <summary>`micro new` output builds, tests and answers a call; the CLI installs as a .NET tool from its package.</summary>
public sealed class ToolingTests(ITestOutputHelper log) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);
    private readonly string _work = Path.Combine(Path.GetTempPath(), "micro-tooling", Guid.NewGuid().ToString("N"));

    // A version of its own per run, so NuGet's cache never hands this test an older build of the same version.
    private readonly string _version = $"0.7.0-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";

    public void Dispose()
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var package in Directory.Exists(Path.Combine(_work, "packages"))
                     ? Directory.GetFiles(Path.Combine(_work, "packages"), "*.nupkg").Select(f => Path.GetFileName(f)[..^$".{_version}.nupkg".Length].ToLowerInvariant())
                     : [])
        {
            var cached = Path.Combine(cache, package, _version);
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }

        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    private Dictionary<string, string> Env => new()
    {
        ["MICRO_REGISTRY"] = "local",
        ["MICRO_REGISTRY_ADDRESS"] = Path.Combine(_work, "registry"),
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
    };

    /// <summary>Runs a program (not through dotnet's dll host) and returns its exit code and output.</summary>
    private Task<(int ExitCode, string Output)> Run(string program, string workingDirectory, params string[] args)
        => Run(program, workingDirectory, Env, args);

    private async Task<(int ExitCode, string Output)> Run(string program, string workingDirectory, Dictionary<string, string> env, params string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            info.Environment[k] = v;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        await process.WaitForExitAsync(timeout.Token);
        var text = await output + await error;
        log.WriteLine($"$ {program} {string.Join(' ', args)} -> {process.ExitCode}");
        return (process.ExitCode, text);
    }

    private async Task BuildRunAndCallAsync(string folder, string service, string endpoint, Func<string[], Task<(int, string)>> micro, Dictionary<string, string>? env = null)
    {
        env ??= Env;
        // At the root, as a .NET user types them first (the scaffold's solution holds the service and its tests).
        var build = await Run("dotnet", folder, "build");
        Assert.True(build.ExitCode == 0, build.Output);
        var test = await Run("dotnet", folder, "test");
        Assert.True(test.ExitCode == 0, test.Output);
        Assert.Contains("Passed!", test.Output);

        await using var running = new RunningProcess(Path.Combine(folder, "src", "bin", "Debug", "net10.0", service + ".dll"), [], env);
        await running.WaitForOutputAsync("registered in local", TimeSpan.FromSeconds(60));
        var (code, output) = await micro(["call", service, endpoint, """{"name":"John"}""", "--output", "raw"]);
        Assert.True(code == 0, output);
        Assert.Equal("""{"msg":"Hello John"}""", output.Trim());
    }

    [Fact]
    public async Task Micro_new_makes_a_service_that_builds_passes_its_tests_and_answers_micro_call()
    {
        Directory.CreateDirectory(_work);
        var created = await RunningProcess.RunAsync(Programs.Cli, ["new", "shop.order-history", "--folder", Path.Combine(_work, "orders")], Env, Patience);
        Assert.True(created.ExitCode == 0, created.Output);
        Assert.Contains("micro call shop.order-history OrderHistory.Call", created.Output);
        await BuildRunAndCallAsync(Path.Combine(_work, "orders"), "shop.order-history", "OrderHistory.Call",
            args => RunningProcess.RunAsync(Programs.Cli, args, Env, Patience));

        var again = await RunningProcess.RunAsync(Programs.Cli, ["new", "orders", "--folder", Path.Combine(_work, "orders")], Env, Patience);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", again.Output);
        var badName = await RunningProcess.RunAsync(Programs.Cli, ["new", "Bad Name"], Env, Patience);
        Assert.Equal(2, badName.ExitCode);
        Assert.Contains("is not a service name", badName.Output);
    }

    [Fact]
    public async Task Every_library_packs_the_cli_installs_as_a_tool_and_an_app_from_the_feed_takes_a_plugin_by_configuration()
    {
        Directory.CreateDirectory(_work);
        var packages = Path.Combine(_work, "packages");
        var pack = await Run("bash", Programs.Root, Path.Combine(Programs.Root, "eng", "pack.sh"), packages, _version);
        Assert.True(pack.ExitCode == 0, pack.Output);
        await AssertEveryLibraryPackedAsync(packages);

        var tools = Path.Combine(_work, "tools");
        var install = await Run("dotnet", _work, "tool", "install", "--tool-path", tools, "--add-source", packages, "Micro.Cli", "--version", _version);
        Assert.True(install.ExitCode == 0, install.Output);
        var micro = Path.Combine(tools, "micro");

        var help = await Run(micro, _work, "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("call <service> <endpoint>", help.Output);

        // Installed, micro is not inside a checkout: new services reference the Micro package from the given source.
        var created = await Run(micro, _work, "new", "billing", "--source", packages);
        Assert.True(created.ExitCode == 0, created.Output);
        Assert.Contains("using the Micro package", created.Output);
        Assert.Contains($"<PackageReference Include=\"Micro\" Version=\"{_version}\" />", await File.ReadAllTextAsync(Path.Combine(_work, "billing", "src", "Billing.csproj")));
        await BuildRunAndCallAsync(Path.Combine(_work, "billing"), "billing", "Billing.Call", args => Run(micro, _work, args));

        // A plugin package is one `dotnet add package` away, and configuration alone selects it: no code names NATS.
        var add = await Run("dotnet", Path.Combine(_work, "billing", "src"), "add", "package", "Micro.Nats", "--version", _version);
        Assert.True(add.ExitCode == 0, add.Output);
        await using var nats = new NatsServer();
        await nats.StartAsync();
        var env = new Dictionary<string, string>(Env)
        {
            ["MICRO_BROKER"] = "nats",
            ["MICRO_BROKER_ADDRESS"] = $"127.0.0.1:{nats.Port}",
            ["MICRO_TRANSPORT"] = "nats",
            ["MICRO_TRANSPORT_ADDRESS"] = $"127.0.0.1:{nats.Port}",
        };
        await BuildRunAndCallAsync(Path.Combine(_work, "billing"), "billing", "Billing.Call", args => Run(micro, _work, env, args), env);
        var described = await Run(micro, _work, env, "get", "service", "billing");
        Assert.True(described.ExitCode == 0, described.Output);
        Assert.Contains("transport=nats", described.Output, StringComparison.Ordinal);
    }

    /// <summary>Every library packs with what a .NET user expects: description, README, tags, symbols (one pack per run: it takes a minute).</summary>
    private async Task AssertEveryLibraryPackedAsync(string packages)
    {
        var ids = Directory.GetFiles(packages, "*.nupkg").Select(f => Path.GetFileName(f)[..^$".{_version}.nupkg".Length]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            ["Micro", "Micro.Api", "Micro.Bot", "Micro.Cli", "Micro.Commands", "Micro.Consul", "Micro.Core", "Micro.Edge", "Micro.Etcd", "Micro.Http",
             "Micro.Kubernetes", "Micro.Mcp", "Micro.Nats", "Micro.OpenTelemetry", "Micro.Proxy", "Micro.Proxy.Client", "Micro.RabbitMQ", "Micro.Testing", "Micro.Web"],
            ids);
        foreach (var id in ids)
        {
            using var package = System.IO.Compression.ZipFile.OpenRead(Path.Combine(packages, $"{id}.{_version}.nupkg"));
            using var reader = new StreamReader(package.GetEntry($"{id}.nuspec")!.Open());
            var nuspec = System.Xml.Linq.XDocument.Parse(await reader.ReadToEndAsync()).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string? Field(string name) => nuspec.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
            Assert.False(string.IsNullOrWhiteSpace(Field("description")), $"{id}: no description");
            Assert.Equal("README.md", Field("readme"));
            Assert.NotNull(package.GetEntry("README.md"));
            Assert.Contains("microservices", Field("tags") ?? "", StringComparison.Ordinal);
            if (id != "Micro")
            {
                // Symbols beside each package with code, and its sources inside the PDBs.
                Assert.True(File.Exists(Path.Combine(packages, $"{id}.{_version}.snupkg")), $"{id}: no .snupkg");
            }
        }

        using var core = System.IO.Compression.ZipFile.OpenRead(Path.Combine(packages, $"Micro.Core.{_version}.nupkg"));
        Assert.NotNull(core.GetEntry("analyzers/dotnet/cs/Micro.Generators.dll"));
    }
}

using System.Text.RegularExpressions;

namespace Micro.IntegrationTests;

/// <summary>
/// docs/plugins.md as a third party would follow it: its blocks become the plugin's project, its tests' project and an
/// app, built outside the repository (the page's <c>Micro.*</c> package references pointed at this checkout); the page's
/// contract tests then run against a real redis-server, and the app, started with <c>--registry redis</c>, registers
/// itself in Redis through the plugin.
/// </summary>
public sealed class PluginDocTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);
    private readonly string _work = Path.Combine(Path.GetTempPath(), "micro-plugin-doc", Guid.NewGuid().ToString("N"));
    private RedisServer _redis = null!;

    public async Task InitializeAsync()
    {
        _redis = new RedisServer();
        await _redis.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    [Fact]
    public async Task The_pages_registry_plugin_builds_passes_the_registry_contract_and_is_chosen_by_configuration()
    {
        var blocks = MarkdownBlock.Read(Path.Combine(Programs.Root, "docs", "plugins.md"), "docs/plugins.md")
            .Where(b => b.Info.StartsWith("plugin", StringComparison.Ordinal)).ToList();
        var plugin = Write(blocks, "plugin", "Acme.Micro.Redis");
        var tests = Write(blocks, "plugin-test", "Acme.Micro.Redis.Tests");
        var app = Write(blocks, "plugin-app", "Acme.Shop");
        Assert.True(File.Exists(Path.Combine(plugin, "Acme.Micro.Redis.csproj")), "docs/plugins.md shows no plugin project");
        Assert.True(File.Exists(Path.Combine(tests, "Acme.Micro.Redis.Tests.csproj")), "docs/plugins.md shows no test project");
        // The page's app is `dotnet new console` with the plugin package added.
        await File.WriteAllTextAsync(Path.Combine(app, "Acme.Shop.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{Programs.Root}/src/Micro/Micro.csproj" />
                <ProjectReference Include="../Acme.Micro.Redis/Acme.Micro.Redis.csproj" />
              </ItemGroup>
            </Project>
            """);

        var env = new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["REDIS_ADDRESS"] = _redis.Address };
        foreach (var project in new[] { plugin, tests, app })
        {
            // The plugin first, then what references it; this checkout's projects are built already.
            var build = await RunningProcess.RunAsync("dotnet", ["build", project, "-c", Programs.Configuration, "-nologo", "-v", "quiet", "-clp:ErrorsOnly",
                "-p:BuildProjectReferences=false", "-p:ShouldUnsetParentConfigurationAndPlatform=false"], env, Patience);
            Assert.True(build.ExitCode == 0, $"docs/plugins.md's {Path.GetFileName(project)} does not build as shown:\n{build.Output}");
        }

        var run = await RunningProcess.RunAsync("dotnet", ["test", tests, "-c", Programs.Configuration, "--no-build", "-nologo"], env, Patience);
        var summary = Regex.Match(run.Output, @"Failed:\s+(\d+), Passed:\s+(\d+)");
        Assert.True(run.ExitCode == 0 && summary.Success, $"docs/plugins.md's contract tests failed against redis-server:\n{run.Output}");
        var passed = int.Parse(summary.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        var suite = typeof(Micro.Testing.RegistryContractTests).GetMethods().Count(m => m.IsDefined(typeof(FactAttribute), inherit: true));
        Assert.True(suite > 0 && passed == suite, $"{passed} tests passed, and the registry contract has {suite}:\n{run.Output}");
        Console.WriteLine($"FIGURES docs/plugins.md: {passed} registry contract tests passed against redis-server");

        // Chosen by configuration: the app registers in Redis, in the hash its code named.
        await using var shop = new RunningProcess(Path.Combine(app, "bin", Programs.Configuration, "net10.0", "Acme.Shop.dll"),
            ["--registry", "redis", "--registry_address", _redis.Address], env);
        await shop.WaitForOutputAsync("registered in redis", TimeSpan.FromSeconds(60));
        var stored = await RunningProcess.RunAsync("redis-cli", ["-p", _redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "HGETALL", "shop:registry"], env, TimeSpan.FromSeconds(30));
        Assert.Contains("\"name\":\"shop\"", stored.Output, StringComparison.Ordinal);
        Assert.Contains("Orders.Count", stored.Output, StringComparison.Ordinal);
    }

    /// <summary>The page's blocks of one kind into a project folder, each under the file name its info gives.</summary>
    private string Write(IReadOnlyList<MarkdownBlock> blocks, string kind, string name)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_work, name)).FullName;
        foreach (var block in blocks.Where(b => b.Info.Split(' ')[0] == kind))
        {
            var file = block.Info.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var f] ? f : throw new InvalidOperationException($"{block.File}:{block.FirstLine}: a {kind} block names no file");
            var text = block.Language == "csharp" ? $"#line {block.FirstLine} \"{block.File}\"\n{block.Text}\n" : PointAtThisCheckout(block.Text);
            File.WriteAllText(Path.Combine(folder, file), text);
        }

        return folder;
    }

    /// <summary>The page's <c>Micro.*</c> package references, as project references to this checkout.</summary>
    private static string PointAtThisCheckout(string project)
        => Regex.Replace(project, """<PackageReference Include="(Micro\.Core|Micro\.Testing|Micro)" Version="[^"]*" />""", m => m.Groups[1].Value switch
        {
            "Micro.Core" => $"""<ProjectReference Include="{Programs.Root}/src/Core/Micro.Core/Micro.Core.csproj" />""",
            "Micro.Testing" => $"""<ProjectReference Include="{Programs.Root}/src/Testing/Micro.Testing/Micro.Testing.csproj" />""",
            _ => $"""<ProjectReference Include="{Programs.Root}/src/Micro/Micro.csproj" />""",
        });
}

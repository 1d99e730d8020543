using System.Text;

namespace Micro.IntegrationTests;

/// <summary>
/// Every ```csharp block of README.md and docs/*.md, built as a user would build it: a console app referencing Micro
/// (and its contract generator as an analyzer, as the Micro package brings it), with the SDK's default implicit
/// usings and nothing else. A block is a Program.cs of its own; a block marked <c>```csharp fragment</c> continues the
/// block before it (its types and usings, and <c>ct</c>, a CancellationToken) and is wrapped in a method of that
/// program. A block marked <c>```csharp web</c> is an ASP.NET Core app instead (the Web SDK) that also references the
/// edge packages (Micro.Api, Micro.Web, Micro.Proxy, Micro.Mcp). Errors point at the Markdown line (#line), so a README edit that
/// breaks an example fails here.
/// </summary>
public sealed class DocsCodeTests
{
    [Fact]
    public async Task Every_csharp_block_of_the_readme_and_docs_builds_as_shown()
    {
        var blocks = MarkdownBlock.OfTheDocs().Where(b => b.Language == "csharp" && !b.Info.StartsWith("plugin", StringComparison.Ordinal)).ToList(); // docs/plugins.md: PluginDocTests
        Assert.True(blocks.Count >= 6, $"expected the README's C# blocks, found {blocks.Count}");

        var folder = Path.Combine(Path.GetTempPath(), "micro-docs", Guid.NewGuid().ToString("N"));
        var projects = new List<(string Name, MarkdownBlock Program, List<MarkdownBlock> Fragments)>();
        foreach (var block in blocks)
        {
            if (!block.IsFragment)
            {
                projects.Add(($"Doc{projects.Count + 1:00}_{Path.GetFileNameWithoutExtension(block.File)}_L{block.FirstLine}", block, []));
            }
            else
            {
                Assert.True(projects.Count > 0 && projects[^1].Program.File == block.File, $"{block.File}:{block.FirstLine}: a fragment continues a ```csharp block before it in the same file, and there is none");
                projects[^1].Fragments.Add(block);
            }
        }

        try
        {
            foreach (var (name, program, fragments) in projects)
            {
                var dir = Directory.CreateDirectory(Path.Combine(folder, name)).FullName;
                await File.WriteAllTextAsync(Path.Combine(dir, name + ".csproj"), Project(program.Info.Split(' ').Contains("web")));
                await File.WriteAllTextAsync(Path.Combine(dir, "Program.cs"), LineDirective(program) + program.Text + "\n");
                var usings = string.Join('\n', program.Text.Split('\n').Where(l => l.StartsWith("using ", StringComparison.Ordinal)));
                for (var i = 0; i < fragments.Count; i++)
                {
                    var code = new StringBuilder()
                        .AppendLine(usings)
                        .AppendLine($"internal static class Fragment{i + 1}")
                        .AppendLine("{")
                        .AppendLine("    internal static async Task RunAsync(CancellationToken ct)")
                        .AppendLine("    {")
                        .Append(LineDirective(fragments[i])).AppendLine(fragments[i].Text)
                        .AppendLine("#line default")
                        .AppendLine("    }")
                        .AppendLine("}");
                    await File.WriteAllTextAsync(Path.Combine(dir, $"Fragment{i + 1}.cs"), code.ToString());
                }
            }

            var solution = "<Solution>\n" + string.Concat(projects.Select(p => $"  <Project Path=\"{p.Name}/{p.Name}.csproj\" />\n")) + "</Solution>\n";
            await File.WriteAllTextAsync(Path.Combine(folder, "Docs.slnx"), solution);
            var build = await RunningProcess.RunAsync("dotnet", ["build", Path.Combine(folder, "Docs.slnx"), "-c", Programs.Configuration, "-nologo", "-v", "quiet", "-clp:ErrorsOnly", "-p:BuildProjectReferences=false",
                    "-p:ShouldUnsetParentConfigurationAndPlatform=false"], // else references outside the solution resolve as Debug, which CI does not build
                new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" }, TimeSpan.FromMinutes(5));
            Assert.True(build.ExitCode == 0, $"a C# block of the docs does not build as shown:\n{build.Output}");
            Console.WriteLine($"docs: {projects.Count} programs and {projects.Sum(p => p.Fragments.Count)} fragments from {string.Join(", ", blocks.Select(b => b.File).Distinct())} build");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string LineDirective(MarkdownBlock block) => $"#line {block.FirstLine} \"{block.File}\"\n";

    /// <summary>What `dotnet new console` (or `web`) writes, plus Micro (its generator as the package brings it); warnings are errors, so docs stay clean.</summary>
    private static string Project(bool web) => $"""
        <Project Sdk="{(web ? "Microsoft.NET.Sdk.Web" : "Microsoft.NET.Sdk")}">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
          </PropertyGroup>
          <ItemGroup>
            <ProjectReference Include="{Programs.Root}/src/Micro/Micro.csproj" />
            <ProjectReference Include="{Programs.Root}/src/Core/Micro.Generators/Micro.Generators.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
          </ItemGroup>
          {(web ? $"""
          <ItemGroup>
            <ProjectReference Include="{Programs.Root}/src/Toolkit/Micro.Api/Micro.Api.csproj" />
            <ProjectReference Include="{Programs.Root}/src/Toolkit/Micro.Web/Micro.Web.csproj" />
            <ProjectReference Include="{Programs.Root}/src/Toolkit/Micro.Proxy/Micro.Proxy.csproj" />
            <ProjectReference Include="{Programs.Root}/src/Toolkit/Micro.Mcp/Micro.Mcp.csproj" />
          </ItemGroup>
          """ : "")}
        </Project>
        """;
}

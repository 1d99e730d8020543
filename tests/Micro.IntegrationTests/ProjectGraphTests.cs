using System.Xml.Linq;

namespace Micro.IntegrationTests;

/// <summary>
/// The house's rooms (issue 17, item 3): project references under <c>src/</c> only point down, toolkit -> the Micro
/// package -> plugins -> core, and the core has no ASP.NET Core.
/// </summary>
public sealed class ProjectGraphTests
{
    private static readonly string Src = Path.Combine(Programs.Root, "src");

    /// <summary>The room a project is in: 0 core, 1 plugins, 2 the Micro package (over core and http), 3 toolkit and testing (Micro.Testing, for plugin authors' tests).</summary>
    private static int Layer(string project)
    {
        var relative = Path.GetRelativePath(Src, project).Replace('\\', '/');
        return relative.Split('/')[0] switch
        {
            "Core" => 0,
            "Plugins" => 1,
            "Micro" => 2,
            "Toolkit" or "Testing" => 3,
            _ => throw new InvalidOperationException($"{relative}: a project outside src/Core, src/Plugins, src/Toolkit, src/Testing and src/Micro"),
        };
    }

    private static IEnumerable<string> Projects => Directory.EnumerateFiles(Src, "*.csproj", SearchOption.AllDirectories)
        .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static IEnumerable<string> References(string project)
        => XDocument.Load(project).Descendants("ProjectReference")
            .Select(r => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, r.Attribute("Include")!.Value)));

    [Fact]
    public void Every_reference_points_from_toolkit_to_plugins_to_core_never_up()
    {
        var projects = Projects.ToList();
        Assert.True(projects.Count >= 16, $"found only {projects.Count} projects under {Src}");
        var wrong = (from project in projects
                     from target in References(project)
                     where !target.StartsWith(Src + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Layer(target) > Layer(project)
                     select $"{Path.GetRelativePath(Src, project)} -> {Path.GetRelativePath(Src, target)}").ToList();
        Assert.True(wrong.Count == 0, "references pointing up (or out of src/): " + string.Join("; ", wrong));
    }

    [Fact]
    public void The_core_references_no_ASP_NET_Core_and_no_plugin()
    {
        foreach (var project in Projects.Where(p => Layer(p) == 0))
        {
            var document = XDocument.Load(project);
            Assert.DoesNotContain(document.Descendants("FrameworkReference"), f => f.Attribute("Include")!.Value.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
            Assert.DoesNotContain(document.Descendants("PackageReference"), p => p.Attribute("Include")!.Value.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
            Assert.All(References(project), target => Assert.Equal(0, Layer(target)));
        }
    }

    [Theory]
    [InlineData("Micro.Commands")]
    [InlineData("Micro.Bot")]
    public void The_commands_and_the_bot_pull_in_neither_YARP_nor_the_JWT_stack(string name)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.Combine(Src, "Toolkit", name, name + ".csproj")]);
        while (pending.TryPop(out var project))
        {
            if (seen.Add(project))
            {
                foreach (var target in References(project))
                {
                    pending.Push(target);
                }
            }
        }

        Assert.Contains(seen, p => p.EndsWith("Micro.Proxy.Client.csproj", StringComparison.Ordinal)); // --proxy still works
        var packages = seen.SelectMany(p => XDocument.Load(p).Descendants("PackageReference").Select(r => r.Attribute("Include")!.Value)).ToList();
        Assert.DoesNotContain(packages, p => p.StartsWith("Yarp", StringComparison.Ordinal) || p.StartsWith("Microsoft.IdentityModel", StringComparison.Ordinal));
        Assert.DoesNotContain(seen, p => p.EndsWith("Micro.Api.csproj", StringComparison.Ordinal) || p.EndsWith("Micro.Proxy.csproj", StringComparison.Ordinal));
    }

    [Fact]
    public void The_check_finds_a_reference_that_points_up()
    {
        // The rule above can fail: a core project naming a plugin is in a higher room than it.
        Assert.True(Layer(Path.Combine(Src, "Plugins", "Micro.Nats", "Micro.Nats.csproj")) > Layer(Path.Combine(Src, "Core", "Micro.Core", "Micro.Core.csproj")));
        Assert.Throws<InvalidOperationException>(() => Layer(Path.Combine(Src, "Elsewhere", "X.csproj")));
    }
}

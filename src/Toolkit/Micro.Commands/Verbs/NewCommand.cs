using System.CommandLine;
using System.Text.RegularExpressions;

namespace Micro.Commands.Verbs;

/// <summary><c>micro new &lt;name&gt;</c>: a ready-to-run service in a new folder, in the recommended contract style.</summary>
internal static partial class NewCommand
{
    [GeneratedRegex("^[a-z][a-z0-9]*([.-][a-z0-9]+)*$")]
    private static partial Regex ValidName();

    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The service name, e.g. orders (lower case; dots and hyphens allowed)." };
        var folder = new Option<string?>("--folder") { Description = "Where to create it (default ./<name>); it must not exist yet." };
        var micro = new Option<string?>("--micro") { Description = "Path to Micro's src/Micro/Micro.csproj to reference (default: found from this micro; else the Micro package)." };
        var source = new Option<string?>("--source") { Description = "A NuGet source (folder or URL) holding the Micro package, written to the service's nuget.config." };
        var command = new Command("new", """
            Create a ready-to-run service: a contract, its implementation, Program.cs, a test project and a README.
            It builds and answers micro call with no edits.

            Examples:
              micro new orders
              cd orders && dotnet run --project src &
              micro call orders Orders.Call '{"name":"John"}'
            """)
        {
            name, folder, micro, source,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var service = parse.GetRequiredValue(name);
            if (!ValidName().IsMatch(service))
            {
                await error.WriteLineAsync($"error: '{service}' is not a service name: use lower-case letters and digits, with dots or hyphens between parts (orders, shop.orders, order-history)").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var target = Path.GetFullPath(parse.GetValue(folder) ?? service);
            if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            {
                await error.WriteLineAsync($"error: {target} already exists and is not empty; choose another --folder").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var reference = parse.GetValue(micro) ?? FindMicroProject();
            if (reference is not null && !File.Exists(reference))
            {
                await error.WriteLineAsync($"error: --micro {reference} does not exist").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var files = ServiceTemplate.Files(service, reference is null ? null : Path.GetFullPath(reference), parse.GetValue(source) is { } s && !s.Contains("://", StringComparison.Ordinal) ? Path.GetFullPath(s) : parse.GetValue(source));
            foreach (var (path, text) in files)
            {
                var full = Path.Combine(target, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllTextAsync(full, text, ct).ConfigureAwait(false);
            }

            var type = ServiceTemplate.TypeName(service);
            await output.WriteLineAsync($"""
                created {service} in {target} ({files.Count} files{(reference is null ? ", using the Micro package" : $", referencing {reference}")})

                  cd {Path.GetRelativePath(Environment.CurrentDirectory, target)}
                  dotnet build && dotnet test       # the solution at the root: service and tests
                  dotnet run --project src          # the service; then, elsewhere:
                  {CommandName.Invoked} call {service} {type}.Call '{"{"}"name":"John"{"}"}'
                """).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Micro's project when this micro runs from a checkout of the repository (walks up from the executable).</summary>
    private static string? FindMicroProject()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Micro", "Micro.csproj");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

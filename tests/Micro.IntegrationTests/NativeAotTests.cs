using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Micro.IntegrationTests;

/// <summary>The Greeter published with Native AOT (eng/publish-aot.sh) serves calls like the JIT build; prints both start-ups.</summary>
public sealed class NativeAotTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "micro-aot", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_native_aot_greeter_answers_calls_and_its_start_up_is_reported_beside_the_jit_build()
    {
        var log = Path.Combine(Programs.Root, ".build", "aot", "greeter.publish.log");
        Assert.True(File.Exists(log), $"no publish log at {log}: run eng/publish-aot.sh");
        Assert.DoesNotMatch(@"(warning|error) IL[23]\d{3}", await File.ReadAllTextAsync(log));

        var aot = await StartCallAndMeasure("aot", Programs.GreeterServiceAot);
        var jit = await StartCallAndMeasure("jit", Programs.GreeterService);
        output.WriteLine($"start-up to registered: aot {aot.Startup.TotalMilliseconds:F0} ms, jit {jit.Startup.TotalMilliseconds:F0} ms");
        output.WriteLine($"resident memory after the first call: aot {aot.RssKb / 1024.0:F1} MiB, jit {jit.RssKb / 1024.0:F1} MiB");
    }

    private async Task<(TimeSpan Startup, long RssKb)> StartCallAndMeasure(string label, string program)
    {
        var env = new Dictionary<string, string>
        {
            ["MICRO_REGISTRY"] = "local",
            ["MICRO_REGISTRY_ADDRESS"] = Path.Combine(_folder, label),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        var clock = Stopwatch.StartNew();
        await using var service = new RunningProcess(program, [], env);
        await service.WaitForOutputAsync("registered in local", Patience);
        var startup = clock.Elapsed;

        var call = await RunningProcess.RunAsync(Programs.Cli, ["call", "greeter", "Greeter.Hello", """{"name":"John"}"""], env, Patience);
        Assert.True(call.ExitCode == 0, $"{label}: {call.Output}\n{service.Output}");
        Assert.Contains("Hello John", call.Output);

        var rss = ResidentKb(service.Id);
        Assert.Equal(0, await service.TerminateAsync(Patience));
        return (startup, rss);
    }

    private static long ResidentKb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}

using System.Net.Sockets;
using System.Text.RegularExpressions;
using Micro.Registry;

namespace Micro.IntegrationTests;

/// <summary>
/// The README's command lines (its ```bash blocks' <c>./micro</c> and <c>curl</c> lines), run as written by bash in a
/// folder where <c>./micro</c> is the repository's script, against a running Greeter and Streamer: each exits 0.
/// Commands that run until stopped (api, web, proxy, subscribe) are started, left running for the lines after them in
/// their block, then stopped with SIGTERM, which must also end them with 0. Lines that reach servers outside this
/// machine (the bot on XMPP or Slack) are run with --help instead, which checks their flags; they are listed.
/// </summary>
public sealed partial class DocsCommandTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5); // the first ./micro publishes the CLI
    private readonly string _root = Path.Combine(Path.GetTempPath(), "micro-readme", Guid.NewGuid().ToString("N"));
    private RunningProcess _greeter = null!;
    private RunningProcess _streamer = null!;

    private string Registry => Path.Combine(_root, "registry");

    private string Work => Path.Combine(_root, "work");

    private Dictionary<string, string> Env => new()
    {
        ["MICRO_REGISTRY"] = "local",
        ["MICRO_REGISTRY_ADDRESS"] = Registry,
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["NO_COLOR"] = "1",
    };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Work);
        // ./micro in the working folder is the repository's script (a symlink to it), as at the repository's root.
        File.CreateSymbolicLink(Path.Combine(Work, "micro"), Path.Combine(Programs.Root, "micro"));
        _greeter = new RunningProcess(Programs.GreeterService, [], Env);
        _streamer = new RunningProcess(Programs.StreamingService, [], Env);
        await _greeter.WaitForOutputAsync("registered in local", TimeSpan.FromSeconds(60));
        await _streamer.WaitForOutputAsync("registered in local", TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        await _greeter.DisposeAsync();
        await _streamer.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Every_micro_and_curl_line_of_the_readme_exits_0()
    {
        await using var registry = new LocalRegistry(Registry);
        var greeterAddress = Assert.Single(Assert.Single(await registry.GetServiceAsync("greeter")).Nodes).Address;
        var blocks = MarkdownBlock.Read(Path.Combine(Programs.Root, "README.md"), "README.md").Where(b => b.Language is "bash" or "sh").ToList();
        var ran = 0;
        var helpOnly = new List<string>();
        foreach (var block in blocks)
        {
            var running = new List<(string Line, RunningProcess Process)>();
            try
            {
                foreach (var (number, written) in Lines(block).Where(l => l.Text.Contains("./micro ", StringComparison.Ordinal) || l.Text.StartsWith("curl ", StringComparison.Ordinal)))
                {
                    // The README's example address of one node is the Greeter's here.
                    var line = written.Replace("127.0.0.1:40123", greeterAddress, StringComparison.Ordinal);
                    var where = $"README.md:{number}: {written}";
                    if (OutsideServer().IsMatch(line))
                    {
                        var help = await Bash(Regex.Replace(line, @"\s+#.*$", "") + " --help");
                        Assert.True(help.ExitCode == 0, $"{where}\n--help exited {help.ExitCode}:\n{help.Output}");
                        helpOnly.Add(where);
                        continue;
                    }

                    if (UntilStopped().Match(line) is { Success: true } server)
                    {
                        var process = new RunningProcess("bash", ["-c", "exec " + line], Env, input: "", workingDirectory: Work);
                        running.Add((where, process));
                        if (server.Groups["address"].Success)
                        {
                            await WaitForListenerAsync(server.Groups["address"].Value, process, where);
                        }

                        ran++;
                        continue;
                    }

                    var result = await Bash(line);
                    Assert.True(result.ExitCode == 0, $"{where}\nexited {result.ExitCode}:\n{result.Output}");
                    ran++;
                }
            }
            finally
            {
                foreach (var (where, process) in running)
                {
                    var code = await process.TerminateAsync(TimeSpan.FromSeconds(30));
                    var output = process.Output;
                    await process.DisposeAsync();
                    Assert.True(code == 0, $"{where}\nstopped with SIGTERM, exited {code}:\n{output}");
                }
            }
        }

        Console.WriteLine($"README: {ran} command lines ran and exited 0; --help only (they reach servers elsewhere): {string.Join("; ", helpOnly)}");
        Assert.True(ran >= 20, $"expected the README's command lines, ran {ran}");
        Assert.True(File.Exists(Path.Combine(Work, "orders", "Orders.slnx")), "./micro new orders wrote no solution");
    }

    [Fact]
    public async Task Hints_and_completion_name_the_micro_that_was_run_not_one_on_the_path()
    {
        var created = await Bash("./micro new billing");
        Assert.True(created.ExitCode == 0, created.Output);
        Assert.Contains("./micro call billing Billing.Call '{\"name\":\"John\"}'", created.Output, StringComparison.Ordinal);

        // No micro on the PATH: the completion script must call the one that printed it.
        var completion = await Bash("""
            PATH=/usr/bin:/bin
            eval "$(./micro completion bash)"
            COMP_LINE='./micro lis'; COMP_POINT=${#COMP_LINE}
            _micro_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """);
        Assert.True(completion.ExitCode == 0, completion.Output);
        Assert.Contains("list", completion.Output.Split('\n', StringSplitOptions.TrimEntries));

        // Flags only once the word starts with "-": after "list " the subcommand, not forty flags.
        var words = await Bash("""
            eval "$(./micro completion bash)"
            COMP_LINE='./micro list '; COMP_POINT=${#COMP_LINE}; _micro_complete; printf 'a:%s\n' "${COMPREPLY[@]}"
            COMP_LINE='./micro list --reg'; COMP_POINT=${#COMP_LINE}; _micro_complete; printf 'b:%s\n' "${COMPREPLY[@]}"
            """);
        var offered = words.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("a:services", offered);
        Assert.DoesNotContain(offered, o => o.StartsWith("a:-", StringComparison.Ordinal));
        Assert.Contains("b:--registry", offered);
    }

    [Fact]
    public async Task The_micro_script_does_not_rebuild_after_a_build_writes_under_obj()
    {
        var first = await Bash("./micro --help");
        Assert.True(first.ExitCode == 0, first.Output); // built now if it was not
        // What any build in the repository leaves: a generated source under obj/, newer than the CLI.
        var generated = Path.Combine(Programs.Root, "src", "Core", "Micro.Core", "obj", $"micro-script-probe-{Guid.NewGuid():N}.g.cs");
        await File.WriteAllTextAsync(generated, "// written by DocsCommandTests\n");
        try
        {
            var again = await Bash("./micro --help");
            Assert.True(again.ExitCode == 0, again.Output);
            Assert.DoesNotContain("building the CLI", again.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(generated);
        }
    }

    private Task<(int ExitCode, string Output)> Bash(string line)
        => RunningProcess.RunAsync("bash", ["-c", line], Env, Patience, input: "", workingDirectory: Work);

    /// <summary>A block's command lines with the Markdown line each starts on; a trailing backslash continues a line.</summary>
    private static IEnumerable<(int Number, string Text)> Lines(MarkdownBlock block)
    {
        var lines = block.Text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var start = i;
            var text = lines[i];
            while (text.EndsWith('\\') && i + 1 < lines.Length)
            {
                text = text[..^1] + " " + lines[++i].Trim();
            }

            if (text.Trim().Length > 0 && !text.TrimStart().StartsWith('#'))
            {
                yield return (block.FirstLine + start, text.Trim());
            }
        }
    }

    private static async Task WaitForListenerAsync(string address, RunningProcess process, string where)
    {
        var (host, port) = Micro.Transport.Tcp.TcpAddress.Split(address);
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            Assert.False(process.HasExited, $"{where}\nexited before it listened on {address}:\n{process.Output}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(host, port, timeout.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }

    /// <summary>Commands that serve until stopped, with the address they listen on when they have one.</summary>
    [GeneratedRegex(@"\./micro\s+(?:(?:api|web|proxy)\s+.*?--address\s+(?<address>[\d.]+:\d+)|subscribe\s)")]
    private static partial Regex UntilStopped();

    /// <summary>Lines that would reach servers elsewhere: the bot on XMPP or Slack.</summary>
    [GeneratedRegex(@"--inputs\s+(?:xmpp|slack)")]
    private static partial Regex OutsideServer();
}

using Micro.Commands;

namespace Micro.Tests;

/// <summary>How the command line reports what is wrong with it.</summary>
public sealed class CommandLineErrorTests
{
    [Fact]
    public async Task A_missing_argument_is_said_once_then_the_commands_help_and_exit_2()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await MicroCommandLine.RunAsync(["call"], output, error);
        Assert.Equal(ExitCodes.Usage, code);
        var said = error.ToString();
        Assert.Equal(1, said.Split("Required argument missing for command: 'call'.").Length - 1);
        Assert.Contains("Usage:", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("micro call greeter Greeter.Hello", output.ToString(), StringComparison.Ordinal); // the call command's help
    }

    [Theory]
    [InlineData(new[] { "--help" }, "  micro [command] [options]")]
    [InlineData(new[] { "call", "--help" }, "  micro call <service> <endpoint> [<request>] [options]")]
    [InlineData(new[] { "list", "services", "--help" }, "  micro list services [options]")]
    public async Task Help_names_the_command_micro_whatever_the_process_is_called(string[] args, string usage)
    {
        var output = new StringWriter();
        Assert.Equal(0, await MicroCommandLine.RunAsync(args, output, new StringWriter()));
        var lines = output.ToString().Split('\n');
        Assert.Equal(usage, lines[Array.IndexOf(lines, "Usage:") + 1]);
        Assert.DoesNotContain(RootCommandName, output.ToString(), StringComparison.Ordinal); // the host's name (testhost here, Micro.Cli for the CLI)
    }

    [Theory]
    [InlineData(0, "list", "services", "--registry", "memory", "--transport_tls_dev")]
    [InlineData(0, "list", "services", "--transport_tls_dev", "--registry", "memory")]
    [InlineData(0, "list", "services", "--registry", "memory", "--transport_tls_dev", "false", "--allow_link_local", "true")]
    [InlineData(ExitCodes.Usage, "list", "services", "--registry", "memory", "--transport_tls_dev", "maybe")]
    public async Task Switches_work_bare_and_with_true_or_false_and_anything_else_is_refused(int exitCode, params string[] args)
    {
        var error = new StringWriter();
        Assert.Equal(exitCode, await MicroCommandLine.RunAsync(args, new StringWriter(), error));
        if (exitCode != 0)
        {
            Assert.Contains("'maybe'", error.ToString(), StringComparison.Ordinal);
        }
    }

    private static string RootCommandName => System.CommandLine.RootCommand.ExecutableName;
}

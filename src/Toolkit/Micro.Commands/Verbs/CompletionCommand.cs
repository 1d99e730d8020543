using System.CommandLine;

namespace Micro.Commands.Verbs;

/// <summary><c>completion bash|zsh</c>: prints a script that completes commands, flags, service and endpoint names.</summary>
internal static class CompletionCommand
{
    // Both ask the micro that printed them ({command}) through System.CommandLine's [suggest:<position>] directive, so completions follow the
    // commands as they are, and service/endpoint names come from the registry the flags point at.
    private const string Bash = """
        # micro completion for bash. Load with: eval "$(micro completion bash)"  (or save it to /etc/bash_completion.d/micro)
        _micro_complete() {
          local IFS=$'\n'
          local line="${COMP_LINE#*[[:space:]]}"            # without the command's own name
          local point=$(( COMP_POINT - ${#COMP_LINE} + ${#line} ))
          local before="${line:0:point}"
          local word="${before##*[[:space:]]}"                # the word being completed: flags only once it starts with -
          COMPREPLY=( $({command} "[suggest:${point}]" "${line}" 2>/dev/null | if [[ "$word" == -* ]]; then cat; else grep -v '^-'; fi) )
        }
        complete -o default -F _micro_complete micro
        """;

    private const string Zsh = """
        #compdef micro
        # micro completion for zsh. Load with: eval "$(micro completion zsh)"  (or save it as _micro on your $fpath)
        _micro() {
          local -a items
          local line="${BUFFER#*[[:space:]]}"                # without the command's own name
          local word="${LBUFFER##*[[:space:]]}"              # the word being completed: flags only once it starts with -
          items=("${(@f)$({command} "[suggest:$(( CURSOR - ${#BUFFER} + ${#line} ))]" "${line}" 2>/dev/null | if [[ "$word" == -* ]]; then cat; else grep -v '^-'; fi)}")
          compadd -a items
        }
        compdef _micro micro
        """;

    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh." };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "Print the tab-completion script for a shell.\n\nExamples:\n  eval \"$(micro completion bash)\"\n  eval \"$(micro completion zsh)\"") { shell };
        command.SetAction(async (parse, ct) =>
        {
            // The script calls the micro that wrote it (./micro in a checkout is not on the PATH), quoted for the shell.
            var script = (parse.GetRequiredValue(shell) == "zsh" ? Zsh : Bash).Replace("{command}", "'" + CommandName.Runnable.Replace("'", "'\\''", StringComparison.Ordinal) + "'", StringComparison.Ordinal);
            await parse.InvocationConfiguration.Output.WriteLineAsync(script).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}

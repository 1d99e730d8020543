namespace Micro.Commands;

/// <summary>The exit codes scripts can rely on.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and failed: unknown service, the call's error, a node not healthy, unreachable environment.</summary>
    public const int Failed = 1;

    /// <summary>The command line was wrong: bad JSON, bad flag values, unknown command.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Interrupted = 130;
}

using Micro.Broker;

namespace Micro.Server;

/// <summary>
/// A server's readiness as it really is: started, registered (the last registration or re-registration succeeded),
/// broker connected (when it subscribes), not stopping. <c>Debug.Health</c> and the ASP.NET Core health check read it.
/// </summary>
public sealed class ServiceHealth
{
    private readonly IBroker? _broker;
    private volatile string? _registryProblem = "not registered yet";
    private volatile bool _stopping;

    internal ServiceHealth(IBroker? broker) => _broker = broker;

    /// <summary>True when every check passes.</summary>
    public bool IsReady => Problems().Count == 0;

    /// <summary>Each check by name: <c>ok</c>, or what is wrong.</summary>
    public IReadOnlyDictionary<string, string> Checks()
    {
        var checks = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["registry"] = _registryProblem ?? "ok",
            ["server"] = _stopping ? "stopping" : "ok",
        };
        if (_broker is not null)
        {
            checks["broker"] = _broker.IsConnected ? "ok" : $"{_broker.Name} broker at {_broker.Address} is not connected";
        }

        return checks;
    }

    /// <summary>The failing checks as <c>name: reason</c>.</summary>
    public IReadOnlyList<string> Problems() => Checks().Where(c => c.Value != "ok").Select(c => $"{c.Key}: {c.Value}").ToArray();

    internal void Registered() => _registryProblem = null;

    internal void RegistrationFailed(string reason) => _registryProblem = "re-registration failing: " + reason;

    internal void Stopping()
    {
        _stopping = true;
        _registryProblem = "deregistered";
    }
}

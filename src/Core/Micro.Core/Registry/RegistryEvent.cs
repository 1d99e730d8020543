namespace Micro.Registry;

/// <summary>A watch result: the action and the service holding the node(s) it concerns.</summary>
public sealed record RegistryEvent(RegistryAction Action, Service Service, DateTimeOffset Timestamp)
{
    /// <summary>go-micro's wire name for the action.</summary>
    public string ActionName => Action switch
    {
        RegistryAction.Create => "create",
        RegistryAction.Update => "update",
        _ => "delete",
    };
}

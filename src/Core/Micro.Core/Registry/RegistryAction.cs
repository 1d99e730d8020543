namespace Micro.Registry;

/// <summary>What happened to a service in a watch.</summary>
public enum RegistryAction
{
    Create,
    Update,
    Delete,
}

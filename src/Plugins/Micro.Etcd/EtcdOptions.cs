namespace Micro.Etcd;

/// <summary>
/// How to reach etcd: <c>--registry_username</c> and <c>--registry_password</c> for etcd's own authentication (a token
/// is fetched and renewed as etcd asks), and <c>--registry_tls_cert</c>, <c>--registry_tls_key</c>, <c>--registry_tls_ca</c>
/// for TLS with client certificates. Without them anyone who reaches etcd can register anything.
/// </summary>
public sealed record EtcdOptions
{
    public static EtcdOptions Default { get; } = new();

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>TLS to etcd (endpoints without a scheme become https).</summary>
    public Micro.Transport.TransportTls? Tls { get; init; }

    public override string ToString() => $"EtcdOptions {{ Username = {Username}, Password = {(Password is null ? "" : "***")}, Tls = {(Tls is null ? "off" : "on")} }}";
}

using Micro.Registry;

namespace Micro.Etcd.Tests;

/// <summary>etcd with authentication on (its own server): the registry signs in with --registry_username/_password.</summary>
public sealed class EtcdAuthTests : IAsyncLifetime
{
    private const string Password = "micro-pw-3c9e1d";
    private readonly EtcdServer _etcd = new();

    public async Task InitializeAsync()
    {
        await _etcd.StartAsync();
        // A root user (etcd needs one to turn auth on) and a user that may read and write Micro's keys only.
        await EtcdCtlAsync("user", "add", "root:root-pw-77aa", "--interactive=false");
        await EtcdCtlAsync("user", "add", "micro:" + Password, "--interactive=false");
        await EtcdCtlAsync("role", "add", "micro-rw");
        await EtcdCtlAsync("role", "grant-permission", "micro-rw", "--prefix=true", "readwrite", EtcdRegistry.Prefix);
        await EtcdCtlAsync("user", "grant-role", "micro", "micro-rw");
        await EtcdCtlAsync("auth", "enable");
    }

    public Task DisposeAsync() => _etcd.DisposeAsync().AsTask();

    private async Task EtcdCtlAsync(params string[] args)
    {
        var (code, output) = await _etcd.CtlAsync(args);
        Assert.True(code == 0, $"etcdctl {string.Join(' ', args)}: {output}");
    }

    private static Service Node(string id) => new() { Name = "secured", Nodes = [new Node { Id = id, Address = "127.0.0.1:9000" }] };

    [Fact]
    public async Task With_credentials_the_registry_registers_reads_and_watches()
    {
        await using var registry = new EtcdRegistry([_etcd.Address], options: new EtcdOptions { Username = "micro", Password = Password });
        var established = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var watch = registry.WatchAsync("secured", established.SetResult).GetAsyncEnumerator();
        var next = watch.MoveNextAsync().AsTask();
        // etcd confirms the watch (with the token) before anything is registered, so the registration below is seen.
        await established.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await registry.RegisterAsync(Node("s-1"), TimeSpan.FromMinutes(1));
        Assert.Equal("s-1", (await registry.GetServiceAsync("secured")).Single().Nodes.Single().Id);
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("s-1", watch.Current.Service.Nodes.Single().Id);
    }

    [Fact]
    public async Task Without_credentials_nothing_is_registered()
    {
        await using var anonymous = new EtcdRegistry([_etcd.Address]);
        await Assert.ThrowsAnyAsync<Exception>(async () => await anonymous.RegisterAsync(Node("intruder"), TimeSpan.FromMinutes(1)));
        await using var registry = new EtcdRegistry([_etcd.Address], options: new EtcdOptions { Username = "micro", Password = Password });
        Assert.Empty(await registry.GetServiceAsync("secured"));
    }

    [Fact]
    public async Task A_wrong_password_is_a_clear_error_that_does_not_repeat_it()
    {
        await using var registry = new EtcdRegistry([_etcd.Address], options: new EtcdOptions { Username = "micro", Password = "not-the-password" });
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await registry.GetServiceAsync("secured"));
        Assert.Contains("etcd refused user 'micro'", e.Message, StringComparison.Ordinal);
        Assert.Contains("--registry_password", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Username_and_password_go_together()
        => Assert.Contains("go together", Assert.Throws<ArgumentException>(() => new EtcdRegistry([_etcd.Address], options: new EtcdOptions { Username = "micro" })).Message, StringComparison.Ordinal);
}

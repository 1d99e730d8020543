using Micro.Registry;

namespace Micro.Tests;

public sealed class MemoryRegistryContractTests : RegistryContractTests, IAsyncLifetime
{
    private readonly MemoryRegistry _shared = new(pollInterval: TimeSpan.FromMilliseconds(100));

    protected override Task<IRegistry> ConnectAsync() => Task.FromResult<IRegistry>(new NotOwned(_shared));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _shared.DisposeAsync().AsTask();

    /// <summary>Another client of the one in-process registry; disposing it leaves the registry alone.</summary>
    private sealed class NotOwned(IRegistry inner) : DelegatingRegistry(inner)
    {
        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

public sealed class LocalRegistryContractTests : RegistryContractTests, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "micro-tests", Guid.NewGuid().ToString("N"));

    protected override Task<IRegistry> ConnectAsync() => Task.FromResult<IRegistry>(new LocalRegistry(_folder, pollInterval: TimeSpan.FromMilliseconds(200)));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}

namespace Micro.Nats.Tests;

/// <summary>One real nats-server (with JetStream) for the NATS tests, on a free loopback port.</summary>
public sealed class NatsFixture : IAsyncLifetime
{
    public NatsServer Server { get; } = new();

    public Task InitializeAsync() => Server.StartAsync();

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();
}

[CollectionDefinition(Name)]
public sealed class NatsCollection : ICollectionFixture<NatsFixture>
{
    public const string Name = "nats-server";
}

namespace Micro.Api.Tests.Handlers;

/// <summary>Endpoints Greeter.* of service go.micro.api.greeter.</summary>
public sealed class Greeter
{
    public Task<HelloResponse> Hello(HelloRequest request, CancellationToken cancellationToken) => Task.FromResult(new HelloResponse("Hello " + request.Name));

    public Task<HelloResponse> SayHello(HelloRequest request, CancellationToken cancellationToken) => Task.FromResult(new HelloResponse("Hi " + request.Name));

    public Task<HelloResponse> Whoami(HelloRequest request, CancellationToken cancellationToken)
        => Task.FromResult(new HelloResponse($"user={CallContext.Current?.Metadata.GetValueOrDefault("X-User")};from={CallContext.Current?.Metadata.GetValueOrDefault("X-Forwarded-For")}"));

    /// <summary>Who the edge says called, and whether a credential reached the service.</summary>
    public Task<HelloResponse> Caller(HelloRequest request, CancellationToken cancellationToken)
    {
        var metadata = CallContext.Current?.Metadata;
        return Task.FromResult(new HelloResponse($"user={metadata?.GetValueOrDefault("Micro-User")};authorization={metadata?.ContainsKey("Authorization")};apikey={metadata?.ContainsKey("X-Api-Key")}"));
    }

    public async Task<HelloResponse> Slow(HelloRequest request, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
        return new HelloResponse("late");
    }

    public Task<HelloResponse> Deny(HelloRequest request, CancellationToken cancellationToken)
        => throw MicroException.Forbidden("go.micro.api.greeter", "no entry for " + request.Name);

    public Task<HelloResponse> Crash(HelloRequest request, CancellationToken cancellationToken)
        => throw new InvalidOperationException("boom");
}

/// <summary>Endpoint Say.Hello, for /greeter/say/hello.</summary>
public sealed class Say
{
    public Task<HelloResponse> Hello(HelloRequest request, CancellationToken cancellationToken) => Task.FromResult(new HelloResponse("Say hello " + request.Name));
}

/// <summary>Endpoint Baz.Cat of go.micro.api.foo.bar, for /foo/bar/baz/cat.</summary>
public sealed class Baz
{
    public Task<HelloResponse> Cat(HelloRequest request, CancellationToken cancellationToken) => Task.FromResult(new HelloResponse("cat"));
}

/// <summary>Endpoint Foo.Bar of go.micro.api.v1.foo, for /v1/foo/bar.</summary>
public sealed class Foo
{
    public Task<HelloResponse> Bar(HelloRequest request, CancellationToken cancellationToken) => Task.FromResult(new HelloResponse("v1 bar"));
}

/// <summary>go-micro's api.Request and api.Response shapes, for the api handler.</summary>
public sealed record Pair(string Key, string[] Values);

public sealed record ApiRequest(string Method, string Path, Dictionary<string, Pair> Header, Dictionary<string, Pair> Get, Dictionary<string, Pair> Post, string Body, string Url);

public sealed record ApiResponse(int StatusCode, Dictionary<string, Pair> Header, string Body);

/// <summary>Endpoint Orders.Create answering api.Request with api.Response.</summary>
public sealed class Orders
{
    public Task<ApiResponse> Create(ApiRequest request, CancellationToken cancellationToken)
        => Task.FromResult(new ApiResponse(201, new Dictionary<string, Pair> { ["X-Order"] = new("X-Order", ["42"]) },
            $"{request.Method} {request.Path} name={request.Get.GetValueOrDefault("name")?.Values[0]} body={request.Body} ct={request.Header.GetValueOrDefault("Content-Type")?.Values[0]}"));
}

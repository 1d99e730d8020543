namespace Micro.Api.Tests;

public sealed class ApiRouteResolverTests
{
    [Theory]
    [InlineData("/greeter/say/hello", "go.micro.api.greeter", "Say.Hello")]
    [InlineData("/greeter/hello", "go.micro.api.greeter", "Greeter.Hello")]
    [InlineData("/foo/bar", "go.micro.api.foo", "Foo.Bar")]
    [InlineData("/foo/bar/baz", "go.micro.api.foo", "Bar.Baz")]
    [InlineData("/foo/bar/baz/cat", "go.micro.api.foo.bar", "Baz.Cat")]
    [InlineData("/v1/foo/bar", "go.micro.api.v1.foo", "Foo.Bar")]
    [InlineData("/v2/foo/bar/baz", "go.micro.api.v2.foo", "Bar.Baz")]
    [InlineData("/greeter/say-hello", "go.micro.api.greeter", "Greeter.SayHello")]
    [InlineData("/my-shop/list-orders/by-day", "go.micro.api.my-shop", "ListOrders.ByDay")]
    [InlineData("/greeter", "go.micro.api.greeter", "Greeter.Call")]
    [InlineData("//greeter//hello/", "go.micro.api.greeter", "Greeter.Hello")]
    public void Go_micro_path_rules(string path, string service, string endpoint)
    {
        var route = ApiRouteResolver.Resolve(ApiResolvers.Micro, "go.micro.api", path);
        Assert.Equal((service, endpoint), (route!.Service, route.Endpoint));
    }

    [Fact]
    public void The_root_path_routes_nowhere() => Assert.Null(ApiRouteResolver.Resolve(ApiResolvers.Micro, "go.micro.api", "/"));

    [Theory]
    [InlineData("/greeter/hello", "go.micro.api.greeter", "Greeter.Hello")]
    [InlineData("/foo/bar/baz/cat", "go.micro.api.foo", "Baz.Cat")]
    public void The_path_resolver_takes_the_first_segment_as_the_service(string path, string service, string endpoint)
    {
        var route = ApiRouteResolver.Resolve(ApiResolvers.Path, "go.micro.api", path);
        Assert.Equal((service, endpoint), (route!.Service, route.Endpoint));
    }

    [Theory]
    [InlineData("greeter.example.com", "/say/hello", "go.micro.api.greeter", "Say.Hello")]
    [InlineData("greeter.example.com:8080", "/hello", "go.micro.api.greeter", "Greeter.Hello")]
    [InlineData("greeter", "/", "go.micro.api.greeter", "Greeter.Call")]
    public void The_host_resolver_takes_the_first_host_label_as_the_service(string host, string path, string service, string endpoint)
    {
        var route = ApiRouteResolver.Resolve(ApiResolvers.Host, "go.micro.api", path, host);
        Assert.Equal((service, endpoint), (route!.Service, route.Endpoint));
    }

    [Fact]
    public void Another_namespace_is_used_as_the_prefix()
        => Assert.Equal("com.example.api.orders", ApiRouteResolver.Resolve(ApiResolvers.Micro, "com.example.api", "/orders/list")!.Service);

    [Fact]
    public void An_empty_namespace_routes_to_bare_service_names()
        => Assert.Equal(("greeter", "Greeter.Hello"), (ApiRouteResolver.Resolve(ApiResolvers.Micro, "", "/greeter/hello")!.Service, ApiRouteResolver.Resolve(ApiResolvers.Micro, "", "/greeter/hello")!.Endpoint));

    [Fact]
    public void Bad_options_are_refused_with_what_is_wrong()
    {
        Assert.Contains("--handler 'grpc'", Assert.Throws<ArgumentException>(() => new ApiOptions { Handler = "grpc" }.Validate()).Message);
        Assert.Contains("--resolver 'dns'", Assert.Throws<ArgumentException>(() => new ApiOptions { Resolver = "dns" }.Validate()).Message);
    }
}

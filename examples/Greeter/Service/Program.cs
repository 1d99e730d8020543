using Micro.Hosting;

// Every go-micro flag works here: --server_name, --server_address, --registry, --registry_address, --register_ttl,
// --register_interval, --client_request_timeout, --client_retries, --selector, --transport (or MICRO_* variables).
var builder = MicroService.CreateBuilder(args, defaultName: "greeter");
builder.AddHandler<Greeter.Service.Greeter>();
await builder.Build().RunAsync();

using Micro.Hosting;
using Microsoft.Extensions.DependencyInjection;

// Every go-micro flag works here: --server_name, --server_address, --registry, --registry_address, --register_ttl,
// --register_interval, --client_request_timeout, --client_retries, --selector, --transport (or MICRO_* variables).
var builder = MicroService.CreateBuilder(args, defaultName: "greeter");
builder.Micro.AddGreeter<Greeter.Service.Greeter>(); // generated from the IGreeter contract
await builder.Build().RunAsync();

using Micro.Hosting;
using Microsoft.Extensions.DependencyInjection;

// Service proto.greeter, endpoint Greeter.Hello, from greeter.proto. It answers application/protobuf and
// application/proto-rpc (go-micro v1's defaults) as well as application/json and application/json-rpc.
// Every go-micro flag works here: --transport http, --registry etcd, --registry_address, --server_address, ...
var builder = MicroService.CreateBuilder(args, defaultName: "proto.greeter");
builder.Micro.AddGreeter<ProtoGreeter.GreeterService>(); // generated from greeter.proto's service Greeter
await builder.Build().RunAsync();

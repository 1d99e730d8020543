using Micro.Transport;
using Micro.Transport.Tcp;

namespace Micro.Tests;

public sealed class TcpCallTests : CallContractTests
{
    protected override ITransport CreateTransport() => new TcpTransport();
}

public sealed class HttpCallTests : CallContractTests
{
    protected override ITransport CreateTransport() => new Micro.Transport.Http.HttpTransport();
}

public sealed class MemoryCallTests : CallContractTests
{
    protected override ITransport CreateTransport() => new MemoryTransport(new MemoryNetwork());

    protected override string DeadAddress => "memory:nobody";
}

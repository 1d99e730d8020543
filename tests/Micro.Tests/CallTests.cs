using Micro.Testing;
using Micro.Transport;
using Micro.Transport.Tcp;

namespace Micro.Tests;

public sealed class TcpCallTests : CallContractTests
{
    protected override ITransport CreateTransport() => new TcpTransport();
}

public sealed class MemoryCallTests : CallContractTests
{
    protected override ITransport CreateTransport() => new MemoryTransport(new MemoryNetwork());

    protected override string DeadAddress => "memory:nobody";
}

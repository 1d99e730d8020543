using Micro.Transport;
using Micro.Transport.Tcp;

namespace Micro.Tests;

public sealed class TcpStreamTests : StreamContractTests
{
    protected override ITransport CreateTransport() => new TcpTransport();

    protected override int Window => TcpStream.Window;
}

public sealed class HttpStreamTests : StreamContractTests
{
    protected override ITransport CreateTransport() => new Micro.Transport.Http.HttpTransport();

    protected override int Window => MessageStream.Window;
}

public sealed class MemoryStreamTests : StreamContractTests
{
    protected override ITransport CreateTransport() => new MemoryTransport(new MemoryNetwork());

    protected override int Window => MessageStream.Window;
}

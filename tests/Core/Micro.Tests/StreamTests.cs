using Micro.Transport;
using Micro.Transport.Tcp;

namespace Micro.Tests;

public sealed class TcpStreamTests : StreamContractTests
{
    protected override IStreamingTransport CreateTransport() => new TcpTransport();

    protected override int Window => TcpStream.Window;
}

public sealed class HttpStreamTests : StreamContractTests
{
    protected override IStreamingTransport CreateTransport() => new Micro.Transport.Http.HttpTransport();

    protected override int Window => MessageStream.Window;
}

public sealed class MemoryStreamTests : StreamContractTests
{
    protected override IStreamingTransport CreateTransport() => new MemoryTransport(new MemoryNetwork());

    protected override int Window => MessageStream.Window;
}

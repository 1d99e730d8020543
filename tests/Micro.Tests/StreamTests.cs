using Micro.Transport;
using Micro.Transport.Tcp;

namespace Micro.Tests;

public sealed class TcpStreamTests : StreamContractTests
{
    protected override IStreamingTransport CreateTransport() => new TcpTransport();

    protected override int Window => TcpStream.Window;
}

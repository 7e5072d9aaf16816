using System.Net;
using System.Net.Sockets;

namespace Connect.Infrastructure.Tests;

/// <summary>The one loopback port probe everything that starts a local server asks.</summary>
public sealed class LoopbackPortTests
{
    [Fact]
    public void A_free_port_can_be_listened_on_right_away()
    {
        var port = LoopbackPort.Free();

        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Assert.InRange(port, 1, IPEndPoint.MaxPort);
        Assert.False(LoopbackPort.IsFree(port));
    }

    [Fact]
    public void A_port_is_free_again_once_its_listener_stopped()
    {
        var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var whileHeld = LoopbackPort.IsFree(port);
        squatter.Stop();

        Assert.False(whileHeld);
        Assert.True(LoopbackPort.IsFree(port));
    }
}

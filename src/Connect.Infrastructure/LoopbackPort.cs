namespace Connect.Infrastructure;

/// <summary>
/// The one probe of TCP ports on 127.0.0.1, for everything that starts a server on this machine: the embedded and
/// throwaway PostgreSQL clusters, <c>cluster up</c>, the drill's signal receiver, the tests and the benchmarks.
/// </summary>
public static class LoopbackPort
{
    /// <summary>
    /// A port nothing listens on right now, chosen by the OS. Only a hint: another process may take it before the
    /// caller binds it.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// Whether <paramref name="port"/> can be bound now. Like PostgreSQL itself, lingering TIME_WAIT connections do
    /// not count as "in use"; any other socket failure than "in use" or "denied" is not an answer and is thrown.
    /// </summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            return false;
        }
    }
}

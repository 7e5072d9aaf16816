using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Connect.Testing.Hosting;

/// <summary>
/// A small Kestrel app on 127.0.0.1, as the tests' and the bench's signal receivers host one: no logging, the routes
/// <c>map</c> gives it, the port the OS chose (or the one asked for). Disposing stops it, within 2 s.
/// </summary>
public sealed class LoopbackWebServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private LoopbackWebServer(WebApplication app, int port)
    {
        this.app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts it listening on <paramref name="port"/> (0: a free one), once <paramref name="map"/> has added its routes.</summary>
    public static async Task<LoopbackWebServer> StartAsync(Action<WebApplication> map, int port = 0, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        map(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackWebServer(app, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await app.StopAsync(bound.Token);
        }

        await app.DisposeAsync();
    }
}

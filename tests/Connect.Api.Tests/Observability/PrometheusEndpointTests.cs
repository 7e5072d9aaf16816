using System.Net;
using System.Text;
using Connect.Api.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Connect.Api.Tests.Observability;

public sealed class PrometheusEndpointTests
{
    private static readonly Dictionary<string, string?> Enabled = new() { ["Connect:Metrics:Prometheus:Enabled"] = "true" };

    // Scraping and the unauthenticated requests below never reach the database.
    private static Task<ConnectApi> StartAsync(IReadOnlyDictionary<string, string?>? settings = null) =>
        ConnectApi.StartAsync(new ConnectApiOptions { ConnectionString = ConnectApi.NoDatabase, Settings = settings ?? new Dictionary<string, string?>() });

    [Fact]
    public async Task Metrics_are_an_empty_404_by_default_even_from_loopback()
    {
        await using var api = await StartAsync();

        var response = await ScrapeAsync(api, IPAddress.Loopback);

        Assert.Equal((404, ""), (response.Response.StatusCode, await BodyAsync(response)));
    }

    [Fact]
    public async Task Enabled_metrics_answer_loopback_callers_in_Prometheus_text_format()
    {
        await using var api = await StartAsync(Enabled);
        await api.SendRevokeAllAsync(null, "{}"u8.ToArray());

        var v4 = await ScrapeAsync(api, IPAddress.Loopback);
        var v6 = await ScrapeAsync(api, IPAddress.IPv6Loopback);

        Assert.Equal((200, 200), (v4.Response.StatusCode, v6.Response.StatusCode));
        var text = await BodyAsync(v4);
        Assert.Contains("connect_revoke_all_requests_total{", text, StringComparison.Ordinal);
        Assert.Contains("reason=\"ClientJwtMissing\"", text, StringComparison.Ordinal);
        Assert.Contains("connect_client_authentication_failures_total{", text, StringComparison.Ordinal);
        Assert.Contains("connect_revoke_all_duration_seconds_bucket{", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enabled_metrics_are_an_empty_404_to_other_callers()
    {
        await using var api = await StartAsync(Enabled);

        // Only the in-memory request's recorded peer address is set; no traffic leaves the process.
        var remote = await ScrapeAsync(api, IPAddress.Parse("192.0.2.10"));
        var unknown = await ScrapeAsync(api, null);
        var overHttpClient = await api.GetAsync("/metrics");

        Assert.Equal((404, ""), (remote.Response.StatusCode, await BodyAsync(remote)));
        Assert.Equal((404, ""), (unknown.Response.StatusCode, await BodyAsync(unknown)));
        await ApiAssert.EmptyAsync(overHttpClient, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Enabled_metrics_are_an_empty_404_on_the_service_port_even_from_loopback()
    {
        // A reverse proxy on the same host makes every caller a loopback caller of the service's port.
        await using var api = await StartAsync(Enabled);

        var throughProxy = await ScrapeAsync(api, IPAddress.Loopback, localPort: 5080);

        Assert.Equal((404, ""), (throughProxy.Response.StatusCode, await BodyAsync(throughProxy)));
    }

    [Fact]
    public async Task Metrics_listen_on_their_own_configured_port()
    {
        var settings = new Dictionary<string, string?>(Enabled) { ["Connect:Metrics:Prometheus:Url"] = "http://127.0.0.1:9999" };
        await using var api = await StartAsync(settings);

        var configured = await ScrapeAsync(api, IPAddress.Loopback, localPort: 9999);
        var defaultPort = await ScrapeAsync(api, IPAddress.Loopback);

        Assert.Equal((200, 404), (configured.Response.StatusCode, defaultPort.Response.StatusCode));
    }

    [Fact]
    public void Enabled_metrics_add_their_listener_beside_the_service_URL()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Urls"] = "http://127.0.0.1:5080";
        builder.Configuration["Connect:Metrics:Prometheus:Enabled"] = "true";

        builder.ListenForMetrics();

        Assert.Equal("http://127.0.0.1:5080;http://127.0.0.1:9464", builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
    }

    private static async Task<string> BodyAsync(HttpContext context) =>
        await new StreamReader(context.Response.Body, Encoding.UTF8).ReadToEndAsync();

    /// <summary>A scrape on the metrics listener's port (the default, 9464) unless another local port is given.</summary>
    private static Task<HttpContext> ScrapeAsync(ConnectApi api, IPAddress? peer, int localPort = 9464) =>
        api.Service.Factory.Server.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = "/metrics";
            context.Connection.RemoteIpAddress = peer;
            context.Connection.LocalPort = localPort;
        });
}

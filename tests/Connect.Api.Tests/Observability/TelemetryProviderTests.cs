using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Connect.Api.Tests.Observability;

/// <summary>
/// The OpenTelemetry providers listen to every request, so they exist only when they have somewhere to send what
/// they collect; otherwise the instruments and spans stay unobserved and nearly free.
/// </summary>
public sealed class TelemetryProviderTests
{
    [Fact]
    public async Task Nothing_listens_by_default()
    {
        await using var api = await ConnectApi.StartAsync(new ConnectApiOptions { ConnectionString = ConnectApi.NoDatabase });

        Assert.Null(api.Services.GetService<MeterProvider>());
        Assert.Null(api.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task The_Prometheus_endpoint_brings_metrics_only()
    {
        await using var api = await ConnectApi.StartAsync(new ConnectApiOptions { ConnectionString = ConnectApi.NoDatabase, Settings = new Dictionary<string, string?> { ["Connect:Metrics:Prometheus:Enabled"] = "true" } });

        Assert.NotNull(api.Services.GetService<MeterProvider>());
        Assert.Null(api.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task An_OTLP_endpoint_brings_metrics_and_traces()
    {
        // Nothing listens there: the exporter only tries to send, in the background, and gives up quietly.
        await using var api = await ConnectApi.StartAsync(new ConnectApiOptions { ConnectionString = ConnectApi.NoDatabase, Settings = new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:1" } });

        Assert.NotNull(api.Services.GetService<MeterProvider>());
        Assert.NotNull(api.Services.GetService<TracerProvider>());
    }
}
